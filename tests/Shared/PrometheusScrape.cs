using System.Globalization;

namespace Grpo.Testing;

/// <summary>
/// One scrape of a silo's Prometheus endpoint (<c>--metrics prometheus</c>), read as sums over a counter's series. Linked
/// into the integration tests and the benchmarks, which both read real silo processes' metrics.
/// </summary>
internal sealed class PrometheusScrape
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string[] lines;

    private PrometheusScrape(string page) => lines = page.Split('\n');

    public static async Task<PrometheusScrape> ReadAsync(int port)
    {
        var page = await Http.GetStringAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/metrics")));
        return new PrometheusScrape(page);
    }

    /// <summary>
    /// The sum of the counter exported for the instrument <paramref name="instrument"/> (e.g. grpo.weights.served_bytes,
    /// exported as grpo_weights_served_bytes…_total) over its series carrying every label of <paramref name="labels"/>;
    /// 0 while nothing was recorded.
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
            var value = line[(labelsEnd + 1)..].Trim().Split(' ')[0];
            sum += double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return sum;
    }
}
