using System.Globalization;
using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Grains.Runs.Components;

namespace Grpo.Client.Train;

/// <summary>A run ready to start: its id, its validated configuration and the folder its outputs go to.</summary>
public sealed record TrainArguments(string RunId, RunConfig Config, string OutputDirectory)
{
    /// <summary>
    /// The file the configuration was read from, with the line of each value, to point at it when a silo's components
    /// refuse a value later (<see cref="RunConfigSource.Explain(Core.Registries.ComponentException)"/>); null without --config.
    /// </summary>
    public RunConfigSource? Source { get; init; }

    /// <summary>Show the run's sampled prompts and completions while watching (<c>--samples</c>).</summary>
    public bool ShowSamples { get; init; }

    /// <summary>Serve the live web page of the run while it trains (<c>--dashboard</c>); null without.</summary>
    public Dashboard.DashboardSettings? Dashboard { get; init; }

    /// <summary>Plugin folders the in-process silo loads (<c>--plugins</c>).</summary>
    public IReadOnlyList<string> PluginDirectories { get; init; } = [];

    /// <summary>
    /// Builds the configuration as defaults → <c>--config</c> file → <c>--seed</c> → <c>--set</c> (a later source wins)
    /// and checks it, so nothing starts with a configuration that the run would reject.
    /// </summary>
    /// <exception cref="RunConfigException">The file or an override is unusable; the message names file, line and key.</exception>
    /// <exception cref="ArgumentException">The run id cannot name a grain and a folder.</exception>
    /// <param name="catalog">
    /// The components the run may name: those of the silo that will run it (the built-ins when null). A cluster
    /// submission passes <see cref="ComponentCatalog.Empty"/>: its silos, with their plugins, judge the names.
    /// </param>
    public static TrainArguments Resolve(TrainOptions options, DateTimeOffset now, ComponentCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        var runId = options.RunId ?? "demo-" + now.ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        ValidateRunId(runId);

        catalog ??= RunComponentCatalog.Default;
        var loaded = options.ConfigPath is { } path ? RunConfigLoader.LoadWithSource(path, catalog) : null;
        var config = loaded?.Config ?? new RunConfig();
        if (options.Seed is { } seed)
        {
            config = config with { Seed = seed };
            RunConfigLoader.Validate(config, "--seed", catalog);
        }

        config = options.Overrides.Count > 0
            ? RunConfigLoader.ApplyOverrides(config, options.Overrides, catalog)
            : ValidatedDefaults(config, options.ConfigPath, catalog);

        var outputDirectory = Path.GetFullPath(options.OutputDirectory ?? Path.Combine("runs", runId));
        return new TrainArguments(runId, config, outputDirectory) { Source = loaded?.Source };
    }

    private static RunConfig ValidatedDefaults(RunConfig config, string? configPath, ComponentCatalog catalog)
    {
        // A loaded file is already validated; the built-in defaults are checked too so a bad default fails here, not in a grain.
        if (configPath is null)
        {
            RunConfigLoader.Validate(config, "the built-in defaults", catalog);
        }

        return config;
    }

    /// <exception cref="ArgumentException">The id cannot name a grain and a folder.</exception>
    internal static void ValidateRunId(string runId)
    {
        if (string.IsNullOrWhiteSpace(runId))
        {
            throw new ArgumentException("--run-id is empty; give a name such as demo-1.");
        }

        // The run id is also the default output folder's name, so it must be a single valid file name.
        var bad = runId.IndexOfAny([.. Path.GetInvalidFileNameChars(), '/', '\\']);
        if (bad >= 0 || runId is "." or "..")
        {
            throw new ArgumentException(
                $"--run-id '{runId}' cannot name a folder: it must not be '.' or '..' nor contain '/', '\\' or other characters a file name cannot hold.");
        }
    }
}
