using System.Globalization;
using System.Text.RegularExpressions;

namespace Grpo.Cluster.Tests.Telemetry;

/// <summary>One response of a Prometheus <c>/metrics</c> endpoint (text format), read into its samples.</summary>
internal sealed partial class PrometheusScrape(string text)
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public string Text { get; } = text;

    public IReadOnlyList<Sample> Samples { get; } = Parse(text);

    /// <summary>The names of every sample, e.g. a histogram's <c>_bucket</c>, <c>_sum</c> and <c>_count</c> series.</summary>
    public IReadOnlySet<string> Names => Samples.Select(sample => sample.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The value of the one sample named <paramref name="name"/> whose labels include <paramref name="label"/>.</summary>
    public double Value(string name, (string Key, string Value) label) =>
        Assert.Single(Samples, sample => sample.Name == name && sample.Labels.GetValueOrDefault(label.Key) == label.Value).Value;

    public bool Has(string name, (string Key, string Value) label) =>
        Samples.Any(sample => sample.Name == name && sample.Labels.GetValueOrDefault(label.Key) == label.Value);

    static List<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(pair => pair.Groups["key"].Value, pair => pair.Groups["value"].Value, StringComparer.Ordinal);
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(match.Groups["name"].Value, labels, value));
        }
        return samples;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\S+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)""")]
    private static partial Regex LabelPair();
}
