using System.Globalization;
using System.Text.RegularExpressions;

namespace Grpo.Configuration;

/// <summary>
/// A configuration path as errors and <c>--set</c> write it: a key, an optional list index and an optional component
/// parameter (<c>loss_type</c>, <c>rewards[1]</c>, <c>policy_loss.tau_pos</c>, <c>rewards[1].weight</c>).
/// </summary>
internal sealed partial record ConfigPath(string Key, int? Index, string? Parameter)
{
    public static bool TryParse(string text, out ConfigPath path)
    {
        var match = Pattern().Match(text.Trim());
        path = match.Success
            ? new ConfigPath(
                match.Groups["key"].Value,
                match.Groups["index"].Success ? int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture) : null,
                match.Groups["parameter"].Success ? match.Groups["parameter"].Value : null)
            : new ConfigPath(text.Trim(), null, null);
        return match.Success;
    }

    public static string Element(string key, int index) => $"{key}[{index}]";

    public static string Member(string path, string member) => $"{path}.{member}";

    /// <summary>The path one level up ("rewards[1].url" → "rewards[1]" → "rewards" → "").</summary>
    public static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    public string Component => Index is { } index ? Element(Key, index) : Key;

    public override string ToString() => Parameter is null ? Component : Member(Component, Parameter);

    [GeneratedRegex(@"^(?<key>[A-Za-z0-9_\-]+)(\[(?<index>\d{1,6})\])?(\.(?<parameter>[A-Za-z0-9_\-]+))?$")]
    private static partial Regex Pattern();
}
