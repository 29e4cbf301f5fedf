using System.Globalization;
using System.Text.Json;
using Grpo.Abstractions.Contracts;

namespace Grpo.Grains.Learning;

/// <summary>
/// The learner's entries in a checkpoint's <c>extra</c> map: which run and configuration it belongs to, the baseline
/// accuracy, and the metrics of the step it ends with (the run grain may not have recorded them when the learner died).
/// </summary>
public static class LearnerCheckpointExtra
{
    public const string RunId = "run_id";
    public const string ConfigFingerprint = "config_fingerprint";
    public const string BaselineAccuracy = "baseline_accuracy";
    public const string LastStepMetrics = "last_step_metrics";

    public static Dictionary<string, string> Create(string runId, string fingerprint, double? baselineAccuracy, StepMetrics lastStep)
    {
        var extra = new Dictionary<string, string>
        {
            [RunId] = runId,
            [ConfigFingerprint] = fingerprint,
            [LastStepMetrics] = JsonSerializer.Serialize(lastStep),
        };
        if (baselineAccuracy is { } accuracy) extra[BaselineAccuracy] = accuracy.ToString("R", CultureInfo.InvariantCulture);
        return extra;
    }

    /// <summary>Refuses a checkpoint of another run or another configuration, naming the checkpoint folder.</summary>
    public static void Verify(IReadOnlyDictionary<string, string> extra, string checkpointDirectory, string runId, string fingerprint)
    {
        if (!extra.TryGetValue(RunId, out var savedRun) || savedRun != runId)
            throw new InvalidDataException($"checkpoint '{checkpointDirectory}': extra.{RunId} is '{savedRun}', expected run '{runId}'.");
        if (!extra.TryGetValue(ConfigFingerprint, out var saved) || saved != fingerprint)
            throw new InvalidDataException(
                $"checkpoint '{checkpointDirectory}' was written with another run configuration (extra.{ConfigFingerprint} '{saved}', this configuration '{fingerprint}'); resume with the configuration it was written with or remove the folder.");
    }

    public static double? ReadBaseline(IReadOnlyDictionary<string, string> extra) =>
        extra.TryGetValue(BaselineAccuracy, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static StepMetrics? ReadLastStep(IReadOnlyDictionary<string, string> extra, string checkpointDirectory)
    {
        if (!extra.TryGetValue(LastStepMetrics, out var json)) return null;
        try
        {
            return JsonSerializer.Deserialize<StepMetrics>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"checkpoint '{checkpointDirectory}': extra.{LastStepMetrics} is not valid step metrics: {e.Message}", e);
        }
    }
}
