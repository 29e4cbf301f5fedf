using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Core.Runtime;
using Grpo.Grains.Runs.Components;

namespace Grpo.Client.Eval;

/// <summary>What <c>grpo eval</c> measures, checked before any model is loaded.</summary>
/// <param name="Source">The checkpoint folder or model directory whose policy is evaluated.</param>
/// <param name="SourceKind">"checkpoint" or "model".</param>
/// <param name="DatasetPath">A JSONL file of problems; null evaluates the configuration's held-out set.</param>
/// <param name="K">The k of every pass@k reported, ascending, each at most <paramref name="Samples"/>.</param>
/// <param name="Samples">Completions sampled per problem (n of the estimator).</param>
/// <param name="Limit">Only the first this many problems; null takes all.</param>
public sealed record EvalArguments(
    string Source, string SourceKind, RunConfig Config, string? DatasetPath, IReadOnlyList<int> K, int Samples, int? Limit, string? OutputPath)
{
    public const string CheckpointKind = "checkpoint";
    public const string ModelKind = "model";

    /// <summary>Where the policy is evaluated (--device); cpu unless asked.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

    /// <exception cref="ArgumentException">An option is missing, out of range or names a path that does not exist.</exception>
    /// <exception cref="RunConfigException">The configuration file or an override is unusable (names file, line and key).</exception>
    public static EvalArguments Resolve(EvalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if ((options.CheckpointPath is null) == (options.ModelPath is null))
            throw new ArgumentException("give exactly one of --checkpoint DIR (a learner checkpoint) and --model DIR (a Hugging Face model directory).");

        var kind = options.CheckpointPath is not null ? CheckpointKind : ModelKind;
        var option = kind == CheckpointKind ? "--checkpoint" : "--model";
        var source = Path.GetFullPath(options.CheckpointPath ?? options.ModelPath!);
        if (!Directory.Exists(source))
            throw new ArgumentException($"{option} '{source}' is not a directory.");

        var k = (options.K.Count == 0 ? [1] : options.K).Distinct().Order().ToArray();
        if (k[0] < 1)
            throw new ArgumentException($"--k {k[0]}: k must be at least 1.");
        var samples = options.Samples ?? k[^1];
        if (samples < 1)
            throw new ArgumentException($"--samples {samples}: at least one completion per problem is needed.");
        if (k[^1] > samples)
            throw new ArgumentException($"--k {k[^1]} is larger than --samples {samples}: pass@k needs at least k samples per problem.");
        if (options.Limit is < 1)
            throw new ArgumentException($"--limit {options.Limit}: must be at least 1.");
        var device = ComputeDevice.Cpu;
        if (options.Device is { } deviceText && !ComputeDevice.TryParse(deviceText, out device))
            throw new ArgumentException($"--device '{deviceText}': expected cpu, cuda or cuda:N.");

        string? dataset = null;
        if (options.DatasetPath is { } path)
        {
            dataset = Path.GetFullPath(path);
            if (!File.Exists(dataset))
                throw new ArgumentException($"--dataset '{dataset}' does not exist.");
        }

        var catalog = RunComponentCatalog.Default;
        var config = options.ConfigPath is { } configPath ? RunConfigLoader.Load(configPath, catalog) : new RunConfig();
        if (options.Overrides.Count > 0) config = RunConfigLoader.ApplyOverrides(config, options.Overrides, catalog);
        if (kind == ModelKind) config = config with { ModelPath = source };
        RunConfigLoader.Validate(config, options.ConfigPath ?? "the evaluation configuration", catalog);
        return new EvalArguments(source, kind, config, dataset, k, samples, options.Limit,
            options.OutputPath is null ? null : Path.GetFullPath(options.OutputPath))
        {
            Device = device,
        };
    }
}
