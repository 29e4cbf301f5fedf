using System.Globalization;

namespace Grpo.Abstractions.Configuration;

/// <summary>
/// Every rule a run configuration must satisfy, checked all at once so the user fixes a file in one go.
/// Rules name properties with nameof; the key shown to the user comes from the property's JSON name.
/// </summary>
internal static class RunConfigValidator
{
    public static readonly IReadOnlyList<string> ModelPresets = ["tiny", "small", "medium50m"];

    public static readonly IReadOnlyList<string> Tasks = ["arithmetic", "jsonl", "gsm8k", "math"];

    /// <summary>The reward components reward_weights may name.</summary>
    public static readonly IReadOnlyList<string> RewardNames = ["answer", "format", "length"];

    public const int MinWeightChunkBytes = 64 * 1024;

    public const int MaxWeightChunkBytes = 64 * 1024 * 1024;

    public static IReadOnlyList<RunConfigProblem> FindProblems(RunConfig config)
    {
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
        rules.Check(nameof(RunConfig.TopP), config.TopP > 0 && config.TopP <= 1,
            $"must be in (0, 1], got {Show(config.TopP)}");
        rules.AtLeast(nameof(RunConfig.TopK), config.TopK, 0);
        rules.AtLeast(nameof(RunConfig.MaxCompletionTokens), config.MaxCompletionTokens, 1);
        if (config.StopStrings.Any(string.IsNullOrEmpty))
        {
            rules.Add(nameof(RunConfig.StopStrings), "must not contain an empty string (it would stop every completion at once)");
        }

        // objective
        rules.Check(nameof(RunConfig.Beta), float.IsFinite(config.Beta) && config.Beta >= 0,
            $"must be 0 or greater, got {Show(config.Beta)}");
        rules.Defined(nameof(RunConfig.KlEstimator), config.KlEstimator);
        rules.Check(nameof(RunConfig.Epsilon), config.Epsilon > 0 && config.Epsilon < 1,
            $"must be in (0, 1), got {Show(config.Epsilon)} (the ratio is clipped to [1 - epsilon, 1 + epsilon])");
        if (config.EpsilonHigh is { } epsilonHigh)
        {
            rules.Check(nameof(RunConfig.EpsilonHigh), float.IsFinite(epsilonHigh) && epsilonHigh >= config.Epsilon,
                $"must be at least epsilon ({Show(config.Epsilon)}) when set, got {Show(epsilonHigh)}");
        }

        rules.Defined(nameof(RunConfig.LossType), config.LossType);
        rules.Defined(nameof(RunConfig.ScaleRewards), config.ScaleRewards);
        rules.Defined(nameof(RunConfig.ImportanceSampling), config.ImportanceSampling);
        rules.AtLeast(nameof(RunConfig.NumIterations), config.NumIterations, 1);

        // optimizer
        rules.Positive(nameof(RunConfig.LearningRate), config.LearningRate);
        rules.Defined(nameof(RunConfig.LrSchedule), config.LrSchedule);
        rules.AtLeast(nameof(RunConfig.LrWarmupSteps), config.LrWarmupSteps, 0);
        if (config.LrWarmupSteps > 0 && config.LrSchedule != LearningRateScheduleKind.WarmupCosine)
        {
            rules.Add(nameof(RunConfig.LrWarmupSteps),
                $"is {config.LrWarmupSteps} but lr_schedule is {Show(config.LrSchedule)}; warm-up needs lr_schedule warmup_cosine");
        }

        if (config.LrWarmupSteps > config.Steps)
        {
            rules.Add(nameof(RunConfig.LrWarmupSteps),
                $"is {config.LrWarmupSteps}, more than the {config.Steps} steps of the run");
        }

        rules.Check(nameof(RunConfig.WeightDecay), double.IsFinite(config.WeightDecay) && config.WeightDecay >= 0,
            $"must be 0 or greater, got {Show(config.WeightDecay)}");
        rules.Positive(nameof(RunConfig.MaxGradNorm), config.MaxGradNorm);
        rules.AtLeast(nameof(RunConfig.MinibatchSize), config.MinibatchSize, 1);

        // loss_type dr_grpo divides by max_completion_tokens, which the rule above keeps at 1 or more.

        // model and task
        rules.OneOf(nameof(RunConfig.ModelPreset), config.ModelPreset, ModelPresets);
        if (config.ModelPath is { } modelPath && string.IsNullOrWhiteSpace(modelPath))
        {
            rules.Add(nameof(RunConfig.ModelPath), "must not be blank; leave it out (or null) to use model_preset");
        }

        rules.OneOf(nameof(RunConfig.Task), config.Task, Tasks);
        if (config.Task is "jsonl" or "gsm8k" or "math" && string.IsNullOrWhiteSpace(config.DatasetPath))
        {
            rules.Add(nameof(RunConfig.DatasetPath), $"is required when task is {config.Task} (the JSON-lines file of prompts and answers)");
        }
        else if (config.DatasetPath is { } datasetPath && string.IsNullOrWhiteSpace(datasetPath))
        {
            rules.Add(nameof(RunConfig.DatasetPath), "must not be blank; leave it out (or null) when task is not jsonl");
        }

        rules.NotBlank(nameof(RunConfig.PromptField), config.PromptField);
        rules.NotBlank(nameof(RunConfig.AnswerField), config.AnswerField);
        if (config.SystemPrompt is not null && config.ModelPath is null)
        {
            rules.Add(nameof(RunConfig.SystemPrompt), "needs model_path: only a model directory's chat template can carry a system prompt");
        }

        rules.Defined(nameof(RunConfig.ComputeDtype), config.ComputeDtype);
        foreach (var (name, weight) in config.RewardWeights)
        {
            rules.Check(nameof(RunConfig.RewardWeights), RewardNames.Contains(name, StringComparer.Ordinal),
                $"'{name}' is not a reward; must be one of {string.Join(", ", RewardNames)}");
            rules.Check(nameof(RunConfig.RewardWeights), double.IsFinite(weight), $"'{name}' must have a finite weight, got {Show(weight)}");
        }

        rules.Check(nameof(RunConfig.RewardWeights), config.RewardWeights.Values.Any(weight => weight != 0),
            "must give at least one reward a weight other than 0 (every completion would score the same)");
        if (config.FormatPattern is { } pattern)
        {
            rules.Check(nameof(RunConfig.FormatPattern), IsRegex(pattern), $"'{pattern}' is not a valid regular expression");
        }

        rules.AtLeast(nameof(RunConfig.DynamicSamplingMaxRounds), config.DynamicSamplingMaxRounds, 0);
        rules.AtLeast(nameof(RunConfig.ArithmeticMaxOperand), config.ArithmeticMaxOperand, 1);
        rules.AtLeast(nameof(RunConfig.HeldOutSize), config.HeldOutSize, 0);

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

        // rollout engine
        rules.AtLeast(nameof(RunConfig.RolloutMaxBatch), config.RolloutMaxBatch, 1);
        rules.AtLeast(nameof(RunConfig.RolloutBatchWaitMs), config.RolloutBatchWaitMs, 0);
        rules.Check(nameof(RunConfig.WeightChunkBytes),
            config.WeightChunkBytes is >= MinWeightChunkBytes and <= MaxWeightChunkBytes,
            $"must be between {MinWeightChunkBytes} (64 KiB) and {MaxWeightChunkBytes} (64 MiB), got {config.WeightChunkBytes}");
        rules.AtLeast(nameof(RunConfig.CompletionTimeoutSeconds), config.CompletionTimeoutSeconds, 1);

        return rules.Problems;
    }

    private static bool IsRegex(string pattern)
    {
        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern);
            return pattern.Length > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Show(float value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Show<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        RunConfigKeyTable.All.First(key => key.Property.PropertyType == typeof(TEnum)).EnumName(value);

    private sealed class Rules
    {
        public List<RunConfigProblem> Problems { get; } = [];

        public void Add(string propertyName, string problem) =>
            Problems.Add(new RunConfigProblem(RunConfigKeyTable.ForProperty(propertyName).Name, problem));

        public void Check(string propertyName, bool valid, string problem)
        {
            if (!valid)
            {
                Add(propertyName, problem);
            }
        }

        public void AtLeast(string propertyName, int value, int minimum) =>
            Check(propertyName, value >= minimum, $"must be at least {minimum}, got {value}");

        public void Positive(string propertyName, double value) =>
            Check(propertyName, double.IsFinite(value) && value > 0, $"must be greater than 0, got {Show(value)}");

        public void NotBlank(string propertyName, string? value) =>
            Check(propertyName, !string.IsNullOrWhiteSpace(value), "must not be empty");

        public void OneOf(string propertyName, string? value, IReadOnlyList<string> allowed) =>
            Check(propertyName, value is not null && allowed.Contains(value, StringComparer.Ordinal),
                $"must be one of {string.Join(", ", allowed)}, got '{value}'");

        public void Defined<TEnum>(string propertyName, TEnum value)
            where TEnum : struct, Enum =>
            Check(propertyName, Enum.IsDefined(value),
                $"has no meaning for the value {Convert.ToInt64(value, CultureInfo.InvariantCulture)}; " +
                $"must be one of {string.Join(", ", RunConfigKeyTable.ForProperty(propertyName).EnumNames)}");
    }
}
