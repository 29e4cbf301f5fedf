using System.Globalization;
using Grpo.Abstractions.Configuration;
using Grpo.Core.Algorithm;
using Grpo.Core.Model;
using Grpo.Core.Registries;
using Grpo.Core.Training;

namespace Grpo.Configuration;

/// <summary>
/// Every rule a run configuration must satisfy, checked all at once so the user fixes a file in one go: ranges,
/// rules between keys, the allowed names of plain choices, and, given a <see cref="ComponentCatalog"/>, that each
/// component is registered and its parameters pass the component's check. Rules name properties with nameof; the key
/// shown to the user comes from the property's JSON name, and a component's problems name their path (rewards[1].weight).
/// </summary>
public static class RunConfigValidator
{
    public static readonly IReadOnlyList<string> ModelPresets = ["tiny", "small", "medium50m"];

    public static readonly IReadOnlyList<string> ComputeDtypes = ["float32", "bfloat16"];
    public static readonly IReadOnlyList<string> ExportFormats = ["none", "bfloat16", "float32"];

    public static IReadOnlyList<string> ImportanceSamplingNames => EnumNames.Of<ImportanceSampling>();

    public static IReadOnlyList<string> OldLogProbSourceNames => EnumNames.Of<OldLogProbSource>();

    public static IReadOnlyList<string> LrScheduleNames => EnumNames.Of<LearningRateScheduleKind>();

    public const int MinWeightChunkBytes = 64 * 1024;

    public const int MaxWeightChunkBytes = 64 * 1024 * 1024;

    /// <summary>The problems of <paramref name="config"/>, checking component names against <paramref name="registries"/>.</summary>
    public static IReadOnlyList<RunConfigProblem> FindProblems(RunConfig config, GrpoRegistries registries) =>
        FindProblems(config, ComponentCatalog.FromRegistries(registries));

    /// <summary>The problems of <paramref name="config"/>; component names are checked against <paramref name="catalog"/> when given.</summary>
    public static IReadOnlyList<RunConfigProblem> FindProblems(RunConfig config, ComponentCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        catalog ??= ComponentCatalog.Empty;
        var rules = new Rules();

        // run
        rules.AtLeast(nameof(RunConfig.Steps), config.Steps, 1);
        rules.AtLeast(nameof(RunConfig.PromptsPerStep), config.PromptsPerStep, 1);
        rules.Check(nameof(RunConfig.GroupSize), config.GroupSize >= 2,
            $"must be at least 2, got {config.GroupSize} (a group of one has no group-relative advantage)");
        rules.AtLeast(nameof(RunConfig.MaxStaleness), config.MaxStaleness, 0);

        // sampling
        rules.Check(nameof(RunConfig.Temperature), float.IsFinite(config.Temperature) && config.Temperature > 0,
            $"must be greater than 0, got {Show(config.Temperature)}");
        rules.Check(nameof(RunConfig.TopP), config.TopP > 0 && config.TopP <= 1, $"must be in (0, 1], got {Show(config.TopP)}");
        rules.AtLeast(nameof(RunConfig.TopK), config.TopK, 0);
        rules.AtLeast(nameof(RunConfig.MaxCompletionTokens), config.MaxCompletionTokens, 1);
        if (config.StopStrings.Any(string.IsNullOrEmpty))
        {
            rules.Add(nameof(RunConfig.StopStrings), "must not contain an empty string (it would stop every completion at once)");
        }

        // objective
        rules.Check(nameof(RunConfig.Beta), float.IsFinite(config.Beta) && config.Beta >= 0, $"must be 0 or greater, got {Show(config.Beta)}");
        rules.Check(nameof(RunConfig.Epsilon), config.Epsilon > 0 && config.Epsilon < 1,
            $"must be in (0, 1), got {Show(config.Epsilon)} (the ratio is clipped to [1 - epsilon, 1 + epsilon])");
        if (config.EpsilonHigh is { } epsilonHigh)
        {
            rules.Check(nameof(RunConfig.EpsilonHigh), float.IsFinite(epsilonHigh) && epsilonHigh >= config.Epsilon,
                $"must be at least epsilon ({Show(config.Epsilon)}) when set, got {Show(epsilonHigh)}");
        }

        rules.OneOf(nameof(RunConfig.ImportanceSampling), config.ImportanceSampling, ImportanceSamplingNames);
        rules.OneOf(nameof(RunConfig.OldLogProbs), config.OldLogProbs, OldLogProbSourceNames);
        rules.AtLeast(nameof(RunConfig.NumIterations), config.NumIterations, 1);

        // optimizer
        rules.Positive(nameof(RunConfig.LearningRate), config.LearningRate);
        rules.OneOf(nameof(RunConfig.LrSchedule), config.LrSchedule, LrScheduleNames);
        rules.AtLeast(nameof(RunConfig.LrWarmupSteps), config.LrWarmupSteps, 0);
        if (config.LrWarmupSteps > 0 && config.LrSchedule != EnumNames.Name(LearningRateScheduleKind.WarmupCosine))
        {
            rules.Add(nameof(RunConfig.LrWarmupSteps),
                $"is {config.LrWarmupSteps} but lr_schedule is {config.LrSchedule}; warm-up needs lr_schedule warmup_cosine");
        }

        if (config.LrWarmupSteps > config.Steps)
        {
            rules.Add(nameof(RunConfig.LrWarmupSteps), $"is {config.LrWarmupSteps}, more than the {config.Steps} steps of the run");
        }

        rules.Check(nameof(RunConfig.WeightDecay), double.IsFinite(config.WeightDecay) && config.WeightDecay >= 0,
            $"must be 0 or greater, got {Show(config.WeightDecay)}");
        rules.Positive(nameof(RunConfig.MaxGradNorm), config.MaxGradNorm);
        rules.AtLeast(nameof(RunConfig.MinibatchSize), config.MinibatchSize, 1);

        // learner memory and precision
        rules.AtLeast(nameof(RunConfig.MicroBatchSize), config.MicroBatchSize, 0);
        rules.OneOf(nameof(RunConfig.LearnerComputeDtype), config.LearnerComputeDtype, ComputeDtypes);
        rules.AtLeast(nameof(RunConfig.LogProbChunkSize), config.LogProbChunkSize, 0);
        rules.OneOf(nameof(RunConfig.ExportFinalModel), config.ExportFinalModel, ExportFormats);

        // model and task
        rules.OneOf(nameof(RunConfig.ModelPreset), config.ModelPreset, ModelPresets);
        if (config.ModelPath is { } modelPath && string.IsNullOrWhiteSpace(modelPath))
        {
            rules.Add(nameof(RunConfig.ModelPath), "must not be blank; leave it out (or null) to use model_preset");
        }

        if (config.SystemPrompt is not null && config.ModelPath is null)
        {
            rules.Add(nameof(RunConfig.SystemPrompt), "needs model_path: only a model directory's chat template can carry a system prompt");
        }

        rules.OneOf(nameof(RunConfig.ComputeDtype), config.ComputeDtype, ComputeDtypes);
        RewardRules(config, rules);
        rules.AtLeast(nameof(RunConfig.DynamicSamplingMaxRounds), config.DynamicSamplingMaxRounds, 0);
        rules.AtLeast(nameof(RunConfig.HeldOutSize), config.HeldOutSize, 0);

        // LoRA
        rules.AtLeast(nameof(RunConfig.LoraRank), config.LoraRank, 0);
        rules.Check(nameof(RunConfig.LoraAlpha), double.IsFinite(config.LoraAlpha) && config.LoraAlpha > 0, $"must be greater than 0, got {Show(config.LoraAlpha)}");
        rules.Check(nameof(RunConfig.LoraDropout), config.LoraDropout is >= 0 and < 1, $"must be in [0, 1), got {Show(config.LoraDropout)}");
        LoraTargetRules(config, rules);
        rules.OneOf(nameof(RunConfig.LoraBaseDtype), config.LoraBaseDtype, LoraOptions.BaseDtypes);

        // supervised warm-up
        rules.AtLeast(nameof(RunConfig.WarmupSftSteps), config.WarmupSftSteps, 0);
        rules.AtLeast(nameof(RunConfig.WarmupSftBatchSize), config.WarmupSftBatchSize, 1);
        rules.Positive(nameof(RunConfig.WarmupSftLearningRate), config.WarmupSftLearningRate);
        rules.Check(nameof(RunConfig.WarmupSftTargetAccuracy), config.WarmupSftTargetAccuracy is >= 0 and <= 1,
            $"must be in [0, 1], got {Show(config.WarmupSftTargetAccuracy)}");

        // evaluation and output
        rules.AtLeast(nameof(RunConfig.EvalEvery), config.EvalEvery, 0);
        rules.AtLeast(nameof(RunConfig.CheckpointEvery), config.CheckpointEvery, 0);
        rules.AtLeast(nameof(RunConfig.KeepCheckpoints), config.KeepCheckpoints, 1);
        rules.AtLeast(nameof(RunConfig.LogSamplesEvery), config.LogSamplesEvery, 0);
        rules.AtLeast(nameof(RunConfig.LogSamplesPrompts), config.LogSamplesPrompts, 1);
        rules.AtLeast(nameof(RunConfig.SampleLedgerBufferRows), config.SampleLedgerBufferRows, 1);

        // rollout engine
        rules.AtLeast(nameof(RunConfig.RolloutMaxBatch), config.RolloutMaxBatch, 1);
        rules.AtLeast(nameof(RunConfig.RolloutBatchWaitMs), config.RolloutBatchWaitMs, 0);
        rules.Check(nameof(RunConfig.WeightChunkBytes), config.WeightChunkBytes is >= MinWeightChunkBytes and <= MaxWeightChunkBytes,
            $"must be between {MinWeightChunkBytes} (64 KiB) and {MaxWeightChunkBytes} (64 MiB), got {config.WeightChunkBytes}");
        rules.AtLeast(nameof(RunConfig.CompletionTimeoutSeconds), config.CompletionTimeoutSeconds, 1);
        if (config.PartialRollouts && config.MaxStaleness == 0)
        {
            rules.Add(nameof(RunConfig.PartialRollouts),
                "is true but max_staleness is 0; rows can only switch to a newer policy version mid-completion in async mode (max_staleness > 0)");
        }

        SizeBounds(config, rules);

        // components: each is registered and its parameters pass the component's own check
        foreach (var (path, kind, spec) in Components(config))
        {
            if (string.IsNullOrWhiteSpace(spec.Name))
            {
                rules.AddAt(path, "must name a component");
            }
            else if (catalog.Check(kind, spec, path) is { } refusal)
            {
                rules.AddAt(refusal.Path, refusal.Problem);
            }
        }

        return rules.Problems;
    }

    /// <summary>Every component selection of <paramref name="config"/> with its path and kind, rewards without their weight.</summary>
    public static IEnumerable<(string Path, string Kind, ComponentSpec Spec)> Components(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var key in RunConfigKeys.All.Where(key => key.ComponentKind is not null))
        {
            if (key.IsComponentList)
            {
                var index = 0;
                foreach (var spec in (IReadOnlyList<ComponentSpec>)key.ValueIn(config)!)
                {
                    var entry = key.Name == RewardsKey ? RewardWeights.WithoutWeight(spec) : spec;
                    yield return (ConfigPath.Element(key.Name, index++), key.ComponentKind!, entry);
                }
            }
            else
            {
                yield return (key.Name, key.ComponentKind!, (ComponentSpec)key.ValueIn(config)!);
            }
        }
    }

    /// <summary>The upper bounds of <see cref="RunConfigBounds"/>, so a configuration sent to a silo cannot ask for absurd sizes.</summary>
    private static void SizeBounds(RunConfig config, Rules rules)
    {
        rules.AtMost(nameof(RunConfig.Steps), config.Steps, RunConfigBounds.MaxSteps);
        rules.AtMost(nameof(RunConfig.PromptsPerStep), config.PromptsPerStep, RunConfigBounds.MaxPromptsPerStep);
        rules.AtMost(nameof(RunConfig.GroupSize), config.GroupSize, RunConfigBounds.MaxGroupSize);
        if ((long)config.PromptsPerStep * config.GroupSize > RunConfigBounds.MaxCompletionsPerStep
            && config.PromptsPerStep <= RunConfigBounds.MaxPromptsPerStep && config.GroupSize <= RunConfigBounds.MaxGroupSize)
        {
            rules.Add(nameof(RunConfig.PromptsPerStep),
                $"times group_size is {(long)config.PromptsPerStep * config.GroupSize} completions per step, more than {RunConfigBounds.MaxCompletionsPerStep}");
        }

        rules.AtMost(nameof(RunConfig.MaxStaleness), config.MaxStaleness, RunConfigBounds.MaxStaleness);
        rules.AtMost(nameof(RunConfig.MaxCompletionTokens), config.MaxCompletionTokens, RunConfigBounds.MaxCompletionTokens);
        rules.AtMost(nameof(RunConfig.TopK), config.TopK, RunConfigBounds.MaxTopK);
        if (config.StopStrings.Length > RunConfigBounds.MaxStopStrings)
        {
            rules.Add(nameof(RunConfig.StopStrings), $"holds {config.StopStrings.Length} strings, more than {RunConfigBounds.MaxStopStrings}");
        }

        if (config.StopStrings.FirstOrDefault(s => s is { Length: > RunConfigBounds.MaxStopStringLength }) is { } longStop)
        {
            rules.Add(nameof(RunConfig.StopStrings), $"holds a string of {longStop.Length} characters, more than {RunConfigBounds.MaxStopStringLength}");
        }

        if (config.SystemPrompt is { Length: > RunConfigBounds.MaxSystemPromptLength } systemPrompt)
        {
            rules.Add(nameof(RunConfig.SystemPrompt), $"has {systemPrompt.Length} characters, more than {RunConfigBounds.MaxSystemPromptLength}");
        }

        rules.AtMost(nameof(RunConfig.NumIterations), config.NumIterations, RunConfigBounds.MaxNumIterations);
        rules.AtMost(nameof(RunConfig.MinibatchSize), config.MinibatchSize, RunConfigBounds.MaxBatchSize);
        rules.AtMost(nameof(RunConfig.MicroBatchSize), config.MicroBatchSize, RunConfigBounds.MaxBatchSize);
        rules.AtMost(nameof(RunConfig.LogProbChunkSize), config.LogProbChunkSize, RunConfigBounds.MaxLogProbChunkSize);
        rules.AtMost(nameof(RunConfig.DynamicSamplingMaxRounds), config.DynamicSamplingMaxRounds, RunConfigBounds.MaxDynamicSamplingRounds);
        rules.AtMost(nameof(RunConfig.HeldOutSize), config.HeldOutSize, RunConfigBounds.MaxHeldOutSize);
        rules.AtMost(nameof(RunConfig.LoraRank), config.LoraRank, RunConfigBounds.MaxLoraRank);
        if (config.LoraTargetModules.Length > RunConfigBounds.MaxLoraTargetModules)
        {
            rules.Add(nameof(RunConfig.LoraTargetModules), $"names {config.LoraTargetModules.Length} projections; a decoder layer has {RunConfigBounds.MaxLoraTargetModules}");
        }

        rules.AtMost(nameof(RunConfig.WarmupSftSteps), config.WarmupSftSteps, RunConfigBounds.MaxWarmupSftSteps);
        rules.AtMost(nameof(RunConfig.WarmupSftBatchSize), config.WarmupSftBatchSize, RunConfigBounds.MaxBatchSize);
        rules.AtMost(nameof(RunConfig.LogSamplesPrompts), config.LogSamplesPrompts, RunConfigBounds.MaxPromptsPerStep);
        rules.AtMost(nameof(RunConfig.KeepCheckpoints), config.KeepCheckpoints, RunConfigBounds.MaxKeepCheckpoints);
        rules.AtMost(nameof(RunConfig.SampleLedgerBufferRows), config.SampleLedgerBufferRows, RunConfigBounds.MaxSampleLedgerBufferRows);
        rules.AtMost(nameof(RunConfig.RolloutMaxBatch), config.RolloutMaxBatch, RunConfigBounds.MaxRolloutBatch);
        rules.AtMost(nameof(RunConfig.RolloutBatchWaitMs), config.RolloutBatchWaitMs, RunConfigBounds.MaxRolloutBatchWaitMs);
        rules.AtMost(nameof(RunConfig.CompletionTimeoutSeconds), config.CompletionTimeoutSeconds, RunConfigBounds.MaxCompletionTimeoutSeconds);
        if (config.Rewards.Count > RunConfigBounds.MaxComponentCount)
        {
            rules.Add(nameof(RunConfig.Rewards), $"holds {config.Rewards.Count} rewards, more than {RunConfigBounds.MaxComponentCount}");
        }
    }

    private static string RewardsKey => RunConfigKeys.ForProperty(nameof(RunConfig.Rewards)).Name;

    private static void RewardRules(RunConfig config, Rules rules)
    {
        if (config.Rewards.Count == 0)
        {
            rules.Add(nameof(RunConfig.Rewards), "must hold at least one reward");
            return;
        }

        var weights = new List<double>();
        for (var i = 0; i < config.Rewards.Count; i++)
        {
            if (RewardWeights.Of(config.Rewards[i], out var problem) is { } weight)
            {
                weights.Add(weight);
            }
            else
            {
                rules.AddAt(ConfigPath.Member(ConfigPath.Element(RewardsKey, i), RewardWeights.Parameter), problem);
            }
        }

        if (weights.Count == config.Rewards.Count && weights.All(weight => weight == 0))
        {
            rules.Add(nameof(RunConfig.Rewards), "must give at least one reward a weight other than 0 (every completion would score the same)");
        }
    }

    private static void LoraTargetRules(RunConfig config, Rules rules)
    {
        if (config.LoraTargetModules.Length == 0)
        {
            rules.Add(nameof(RunConfig.LoraTargetModules), "must name at least one projection");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in config.LoraTargetModules)
        {
            if (!LoraOptions.AllTargetModules.Contains(name + "_proj", StringComparer.Ordinal) && !LoraOptions.AllTargetModules.Contains(name, StringComparer.Ordinal))
            {
                rules.Add(nameof(RunConfig.LoraTargetModules), $"'{name}' is not a projection; use q, k, v, o, gate, up, down (or q_proj ... down_proj)");
            }
            else if (!seen.Add(LoraOptions.TargetModuleName(name)))
            {
                rules.Add(nameof(RunConfig.LoraTargetModules), $"names {LoraOptions.TargetModuleName(name)} twice");
            }
        }
    }

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Show(float value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class Rules
    {
        public List<RunConfigProblem> Problems { get; } = [];

        public void Add(string propertyName, string problem) => AddAt(RunConfigKeys.ForProperty(propertyName).Name, problem);

        public void AddAt(string path, string problem) => Problems.Add(new RunConfigProblem(path, problem));

        public void Check(string propertyName, bool valid, string problem)
        {
            if (!valid)
            {
                Add(propertyName, problem);
            }
        }

        public void AtLeast(string propertyName, int value, int minimum) =>
            Check(propertyName, value >= minimum, $"must be at least {minimum}, got {value}");

        public void AtMost(string propertyName, int value, int maximum) =>
            Check(propertyName, value <= maximum, $"must be at most {maximum}, got {value}");

        public void Positive(string propertyName, double value) =>
            Check(propertyName, double.IsFinite(value) && value > 0, $"must be greater than 0, got {Show(value)}");

        public void OneOf(string propertyName, string? value, IReadOnlyList<string> allowed) =>
            Check(propertyName, value is not null && allowed.Contains(value, StringComparer.Ordinal),
                $"must be one of {string.Join(", ", allowed)}, got '{value}'");
    }
}
