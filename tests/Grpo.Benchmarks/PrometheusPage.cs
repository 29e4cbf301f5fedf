using System.Globalization;

namespace Grpo.Benchmarks;

/// <summary>One scrape of a grpo-silo's Prometheus endpoint (<c>--metrics prometheus</c>), read as sums of a counter's series.</summary>
internal sealed class PrometheusPage
{
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    readonly string[] lines;

    PrometheusPage(string page) => lines = page.Split('\n');

    public static async Task<PrometheusPage> ReadAsync(int port) =>
        new(await Http.GetStringAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/metrics"))));

    /// <summary>
    /// The sum of the counter exported for <paramref name="instrument"/> (grpo.weights.served_bytes is exported as
    /// grpo_weights_served_bytes…_total) over its series carrying every label of <paramref name="labels"/>; 0 while none.
    /// </summary>
    public double Sum(string instrument, params (string Name, string Value)[] labels)
    {
        var prefix = instrument.Replace('.', '_');
        var sum = 0.0;
        foreach (var line in lines)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var nameEnd = line.IndexOfAny(['{', ' ']);
            if (nameEnd < 0) continue;
            var name = line[..nameEnd];
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith("_total", StringComparison.Ordinal)) continue;
            var labelsEnd = line[nameEnd] == '{' ? line.IndexOf('}', nameEnd) : nameEnd;
            var labelText = line[nameEnd..(labelsEnd + 1)];
            if (!labels.All(label => labelText.Contains($"{label.Name}=\"{label.Value}\"", StringComparison.Ordinal))) continue;
            sum += double.Parse(line[(labelsEnd + 1)..].Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return sum;
    }
}
