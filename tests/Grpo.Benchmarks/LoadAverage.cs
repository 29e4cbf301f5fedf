namespace Grpo.Benchmarks;

/// <summary>
/// The machine's load averages, read from /proc/loadavg: the benchmarks share the machine with other work, and a figure
/// measured while the load exceeds the cores says little about the code.
/// </summary>
internal static class LoadAverage
{
    /// <summary>"1 5 15"-minute load averages, or "unknown" where /proc/loadavg does not exist.</summary>
    public static string Now()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path)) return "unknown";
        var fields = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', fields.Take(3));
    }

    /// <summary>Before and after a measurement, as the reports print it.</summary>
    public static string Span(string before) => $"{before} → {Now()}";
}
