using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace Grpo.Cluster.Tests.Telemetry;

/// <summary>
/// deploy/k8s/rollout-autoscaler.yaml read as the cluster would: the custom metrics the HorizontalPodAutoscaler asks
/// for, and the Prometheus Adapter rules that make them out of the silos' series.
/// </summary>
internal sealed partial class AutoscalerManifest
{
    public sealed record AdapterRule(string ExposedAs, string SeriesQuery, string MetricsQuery)
    {
        /// <summary>Every series the rule reads: the names written directly before a label selector <c>{…}</c>.</summary>
        public IReadOnlyList<string> Series => SeriesName().Matches(SeriesQuery + " " + MetricsQuery).Select(match => match.Value).Distinct().ToList();
    }

    public static string Path { get; } = System.IO.Path.Combine(RepositoryRoot(), "deploy", "k8s", "rollout-autoscaler.yaml");

    public required string ScaledDeployment { get; init; }

    /// <summary>The names of the HPA's Pods metrics.</summary>
    public required IReadOnlyList<string> PodMetrics { get; init; }

    public required IReadOnlyList<AdapterRule> Rules { get; init; }

    public static AutoscalerManifest Load()
    {
        var deserializer = new DeserializerBuilder().Build();
        var documents = Documents(File.ReadAllText(Path)).Select(deserializer.Deserialize<Dictionary<object, object>>).ToList();
        var hpa = documents.Single(document => Text(document, "kind") == "HorizontalPodAutoscaler");
        Assert.Equal("autoscaling/v2", Text(hpa, "apiVersion"));
        var spec = Map(hpa, "spec");
        var metrics = Items(spec, "metrics").Cast<Dictionary<object, object>>().ToList();
        Assert.All(metrics, metric => Assert.Equal("Pods", Text(metric, "type")));

        var configMap = documents.Single(document => Text(document, "kind") == "ConfigMap");
        var adapterConfig = deserializer.Deserialize<Dictionary<object, object>>(Text(Map(configMap, "data"), "config.yaml"));
        var rules = Items(adapterConfig, "rules").Cast<Dictionary<object, object>>()
            .Select(rule => new AdapterRule(Text(Map(rule, "name"), "as"), Text(rule, "seriesQuery"), Text(rule, "metricsQuery")))
            .ToList();

        return new AutoscalerManifest
        {
            ScaledDeployment = Text(Map(spec, "scaleTargetRef"), "name"),
            PodMetrics = metrics.Select(metric => Text(Map(Map(metric, "pods"), "metric"), "name")).ToList(),
            Rules = rules,
        };
    }

    static IEnumerable<string> Documents(string text) =>
        DocumentSeparator().Split(text).Where(document => document.Split('\n').Any(line => line.Length > 0 && !line.StartsWith('#')));

    static Dictionary<object, object> Map(Dictionary<object, object> node, string key) =>
        node.GetValueOrDefault(key) as Dictionary<object, object> ?? throw new KeyNotFoundException($"{Path}: no mapping '{key}'.");

    static List<object> Items(Dictionary<object, object> node, string key) =>
        node.GetValueOrDefault(key) as List<object> ?? throw new KeyNotFoundException($"{Path}: no list '{key}'.");

    static string Text(Dictionary<object, object> node, string key) =>
        node.GetValueOrDefault(key) as string ?? throw new KeyNotFoundException($"{Path}: no text '{key}'.");

    static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Grpo.Orleans.sln"))) return folder.FullName;
        throw new DirectoryNotFoundException($"no folder above {AppContext.BaseDirectory} holds Grpo.Orleans.sln.");
    }

    [GeneratedRegex(@"[a-zA-Z_:][a-zA-Z0-9_:]*(?=\{)")]
    private static partial Regex SeriesName();

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}
