using System.Collections.Concurrent;
using Grpo.Abstractions.Configuration;
using Grpo.Core.Registries;

namespace Grpo.Grains.Runs;

/// <summary>One <see cref="RunAssets"/> per run per silo: tokenizers and datasets are built once, not per grain.</summary>
/// <param name="registries">The silo's components; the built-ins when none are given (tools and tests).</param>
public sealed class RunAssetsCache(GrpoRegistries? registries = null)
{
    /// <summary>The components this silo's runs are built from.</summary>
    public GrpoRegistries Registries { get; } = registries ?? GrpoRegistries.CreateDefault();

    readonly ConcurrentDictionary<string, Lazy<RunAssets>> assets = new();

    public RunAssets Get(string runId, RunConfig config)
    {
        var entry = assets.GetOrAdd(runId, _ => new Lazy<RunAssets>(() => RunAssets.Create(config, Registries)));
        if (!Equals(entry.Value.Config, config))
        {
            // A run restarted under the same id with another configuration: rebuild rather than serve stale assets.
            var fresh = new Lazy<RunAssets>(() => RunAssets.Create(config, Registries));
            assets[runId] = fresh;
            return fresh.Value;
        }
        return entry.Value;
    }
}
