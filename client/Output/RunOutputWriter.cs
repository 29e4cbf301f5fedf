using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Configuration;

namespace Grpo.Client.Output;

/// <summary>
/// Writes a run's files as the run goes: config.json at the start, one metrics.jsonl line per finished step as it
/// arrives (appended and flushed, so a crash keeps every line so far) and summary.json whenever it changes.
/// </summary>
public sealed class RunOutputWriter
{
    public RunOutputWriter(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }
    public string ConfigPath => Path.Combine(Directory, "config.json");
    public string MetricsPath => Path.Combine(Directory, "metrics.jsonl");
    public string SummaryPath => Path.Combine(Directory, "summary.json");
    public string ChartPath => Path.Combine(Directory, "chart.png");
    public string SamplesPath => Path.Combine(Directory, "samples.jsonl");

    public void WriteConfig(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        AtomicFile.Write(ConfigPath, path => File.WriteAllText(path, RunConfigLoader.ToJson(config) + Environment.NewLine, Utf8));
    }

    /// <summary>
    /// Appends one line per step; steps are written in the order given. Each reward component's mean becomes a key
    /// <c>reward/&lt;name&gt;</c> of its own, so tools that read the file as a table see one column per component.
    /// </summary>
    public void AppendMetrics(IEnumerable<StepMetrics> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        AppendLines(MetricsPath, steps.Select(MetricsLine));
    }

    private static JsonObject MetricsLine(StepMetrics step)
    {
        var line = JsonSerializer.SerializeToNode(step, ClientJson.Line)!.AsObject();
        line.Remove(ClientJson.Line.PropertyNamingPolicy!.ConvertName(nameof(StepMetrics.RewardComponents)));
        foreach (var (name, mean) in step.RewardComponents)
        {
            line[$"reward/{name}"] = JsonSerializer.SerializeToNode(mean, ClientJson.Line);
        }

        return line;
    }

    /// <summary>Appends one line per sampled prompt (its completions, rewards and advantages), in the order given.</summary>
    public void AppendSamples(IEnumerable<SampledGroup> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        AppendLines(SamplesPath, samples);
    }

    private static void AppendLines<T>(string path, IEnumerable<T> items)
    {
        var lines = new StringBuilder();
        foreach (var item in items)
        {
            lines.Append(JsonSerializer.Serialize(item, ClientJson.Line)).Append('\n');
        }

        if (lines.Length == 0)
        {
            return;
        }

        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Utf8.GetBytes(lines.ToString()));
        stream.Flush(flushToDisk: true);
    }

    public void WriteSummary(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        AtomicFile.Write(SummaryPath, path => File.WriteAllText(path, JsonSerializer.Serialize(summary, ClientJson.Indented) + Environment.NewLine, Utf8));
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
