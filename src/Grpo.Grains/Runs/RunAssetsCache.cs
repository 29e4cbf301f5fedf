using System.Collections.Concurrent;
using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Core.Registries;

namespace Grpo.Grains.Runs;

/// <summary>One <see cref="RunAssets"/> per run per silo: tokenizers and datasets are built once, not per grain.</summary>
/// <param name="registries">The silo's components; the built-ins when none are given (tools and tests).</param>
/// <param name="dataRoots">The folders a run's files may be read from; any when none are given (tools, tests, the embedded mode).</param>
public sealed class RunAssetsCache(GrpoRegistries? registries = null, RunDataRoots? dataRoots = null)
{
    /// <summary>The components this silo's runs are built from.</summary>
    public GrpoRegistries Registries { get; } = registries ?? GrpoRegistries.CreateDefault();

    /// <summary>The folders this silo reads run data from (model_path, task.path, ...).</summary>
    public RunDataRoots DataRoots { get; } = dataRoots ?? RunDataRoots.Unrestricted;

    readonly ConcurrentDictionary<string, Lazy<RunAssets>> assets = new();

    /// <exception cref="RunConfigException">A path of the configuration lies outside <see cref="DataRoots"/>.</exception>
    public RunAssets Get(string runId, RunConfig config)
    {
        // Every silo that reads a run's files checks them against its own roots, whichever grain received the run.
        if (DataRoots.FindProblems(config) is { Count: > 0 } outside)
            throw new RunConfigException($"run {runId}", outside);
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
