using System.Text.RegularExpressions;

namespace Grpo.Integration.Tests;

/// <summary>What a set of silos logged from the moment this was made: their warning-and-worse lines, for log budgets.</summary>
public sealed partial class SiloLogWindow
{
    private readonly Dictionary<SiloProcess, int> offsets;

    public SiloLogWindow(IEnumerable<SiloProcess> silos)
    {
        offsets = silos.ToDictionary(silo => silo, silo => silo.Output.Length);
    }

    /// <summary>Every line at Warning or above that the silos wrote since the window opened.</summary>
    public IReadOnlyList<string> WarningLines() =>
        [.. offsets.SelectMany(entry => entry.Key.Output[entry.Value..].Split('\n')).Select(line => line.TrimEnd('\r')).Where(line => WarningOrWorse().IsMatch(line))];

    [GeneratedRegex(@"^\d\d:\d\d:\d\d (warn|fail|crit): ")]
    private static partial Regex WarningOrWorse();

    /// <summary>A frame of a .NET stack trace, as an exception's ToString prints it.</summary>
    [GeneratedRegex(@"\s+at [\w.`<>|]+[.:]\S*\(.*?\)")]
    public static partial Regex StackFrame();
}
