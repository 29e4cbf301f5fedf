using System.Security.Cryptography;
using System.Text;
using Grpo.Abstractions.Configuration;

namespace Grpo.Grains.Learning;

/// <summary>
/// A hash of the settings that shape what a checkpoint means (model, data, algorithm). Keys that only change how the
/// run is observed or transported are left out, so a run may resume with another checkpoint or evaluation interval.
/// </summary>
public static class ConfigFingerprint
{
    public static string Compute(RunConfig config)
    {
        var training = config with { CheckpointEvery = 0, KeepCheckpoints = 0, EvalEvery = 0, LogSamplesEvery = 0, LogSamplesPrompts = 0, WeightChunkBytes = 0, CompletionTimeoutSeconds = 0 };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RunConfigLoader.ToJson(training))));
    }
}
