using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Configuration;

namespace Grpo.Client.Output;

/// <summary>
/// Writes a run's files as the run goes: config.json at the start, one metrics.jsonl line per finished step and one
/// samples.jsonl line per sampled prompt as they arrive (flushed, so a crash keeps every line so far) and summary.json
/// whenever it changes. metrics.jsonl and samples.jsonl hold each step (each step's prompt) once: a writer continues
/// the files it finds, however often the same steps are written to it.
/// </summary>
public sealed class RunOutputWriter
{
    private readonly KeyedLinesFile<long> metrics;
    private readonly KeyedLinesFile<(long Step, int PromptIndex)> samples;

    /// <param name="continueExisting">
    /// Continue metrics.jsonl and samples.jsonl found in <paramref name="directory"/> (watching a run again); false for a
    /// new run, whose files must not mix with another run's: those found are kept, renamed to <c>*.before-&lt;time&gt;.jsonl</c>.
    /// </param>
    /// <exception cref="OutputFileException">A file to continue has a line that is not a JSON object with its key fields.</exception>
    public RunOutputWriter(string directory, bool continueExisting = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        if (!continueExisting)
        {
            MoveAside(MetricsPath);
            MoveAside(SamplesPath);
        }

        metrics = new KeyedLinesFile<long>(MetricsPath, line => Field(line, "step"));
        samples = new KeyedLinesFile<(long, int)>(SamplesPath, line => (Field(line, "step"), (int)Field(line, "promptIndex", int.MaxValue)));
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
    /// Records one line per step not in metrics.jsonl yet (or changed since), in step order. Each reward component's
    /// mean becomes a key <c>reward/&lt;name&gt;</c> of its own, so tools that read the file as a table see one column
    /// per component.
    /// </summary>
    public void WriteMetrics(IEnumerable<StepMetrics> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        metrics.Write(steps.Select(step => (step.Step, JsonSerializer.Serialize(MetricsLine(step), ClientJson.Line))));
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

    /// <summary>Records one line per sampled prompt not in samples.jsonl yet (or changed since), in step and prompt order.</summary>
    public void WriteSamples(IEnumerable<SampledGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        samples.Write(groups.Select(group => ((group.Step, group.PromptIndex), JsonSerializer.Serialize(group, ClientJson.Line))));
    }

    private static long Field(JsonElement line, string name, long max = long.MaxValue)
    {
        if (line.ValueKind != JsonValueKind.Object)
        {
            throw new LineKeyException($"expected a JSON object, found {line.ValueKind}");
        }

        if (!line.TryGetProperty(name, out var value))
        {
            throw new LineKeyException($"the field \"{name}\" is missing");
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number) || number < 0 || number > max)
        {
            throw new LineKeyException($"the field \"{name}\" is {value.GetRawText()}, not a whole number in 0..{max}");
        }

        return number;
    }

    private static void MoveAside(string path)
    {
        if (File.Exists(path))
        {
            var stamp = File.GetLastWriteTimeUtc(path).ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
            File.Move(path, Path.Combine(Path.GetDirectoryName(path)!, $"{Path.GetFileNameWithoutExtension(path)}.before-{stamp}{Path.GetExtension(path)}"));
        }
    }

    public void WriteSummary(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        AtomicFile.Write(SummaryPath, path => File.WriteAllText(path, JsonSerializer.Serialize(summary, ClientJson.Indented) + Environment.NewLine, Utf8));
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
