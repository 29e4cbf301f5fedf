using System.Security.Cryptography;
using System.Text;
using Grpo.Abstractions.Configuration;
using Grpo.Configuration;

namespace Grpo.Grains.Learning;

/// <summary>
/// A hash of the configuration's training identity (<see cref="RunConfig.TrainingIdentity"/>): the settings that shape
/// what a checkpoint means, without the keys that only change how the run is observed or transported.
/// </summary>
public static class ConfigFingerprint
{
    public static string Compute(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RunConfigLoader.ToJson(config.TrainingIdentity()))));
    }
}
