using System.Text.Json;
using Grpo.Abstractions.Configuration;

namespace Grpo.Abstractions.Tests.Configuration;

public sealed class RunConfigJsonTests
{
    private static RunConfig EveryFieldChanged() => new()
    {
        Seed = 11,
        Steps = 12,
        PromptsPerStep = 3,
        GroupSize = 4,
        MaxStaleness = 2,
        Temperature = 0.7f,
        TopP = 0.9f,
        TopK = 50,
        MaxCompletionTokens = 32,
        StopStrings = ["\n\n", "a,b", "\"quoted\""],
        Beta = 0.001f,
        KlEstimator = KlEstimatorKind.K2,
        Epsilon = 0.2f,
        EpsilonHigh = 0.28f,
        LossType = LossKind.DrGrpo,
        ScaleRewards = ScaleRewardsKind.Batch,
        ImportanceSampling = ImportanceSamplingKind.Sequence,
        NumIterations = 2,
        MaskTruncated = true,
        DynamicSampling = true,
        LearningRate = 1e-6,
        LrSchedule = LearningRateScheduleKind.WarmupCosine,
        LrWarmupSteps = 3,
        WeightDecay = 0.1,
        MaxGradNorm = 0.5,
        MinibatchSize = 8,
        ModelPreset = "medium50m",
        ModelPath = "/models/Qwen2.5-0.5B",
        Task = "jsonl",
        DatasetPath = "/data/gsm8k.jsonl",
        PromptField = "prompt",
        AnswerField = "solution",
        SystemPrompt = "Reason step by step.",
        UseChatTemplate = false,
        EnableThinking = false,
        ComputeDtype = ComputeDtypeKind.Bfloat16,
        RewardWeights = new Dictionary<string, double> { ["format"] = 0.1, ["answer"] = 1.0, ["length"] = 0.5 },
        FormatPattern = @"\\boxed\{",
        DynamicSamplingMaxRounds = 5,
        ArithmeticMaxOperand = 9,
        HeldOutSize = 0,
        WarmupSftSteps = 0,
        WarmupSftBatchSize = 16,
        WarmupSftLearningRate = 1e-4,
        EvalEvery = 5,
        CheckpointEvery = 10,
        KeepCheckpoints = 1,
        RolloutMaxBatch = 256,
        RolloutBatchWaitMs = 0,
        WeightChunkBytes = 65536,
        CompletionTimeoutSeconds = 30,
    };

    [Fact]
    public void ToJson_of_the_defaults_parses_back_to_the_defaults()
    {
        var json = RunConfigLoader.ToJson(new RunConfig());

        Assert.Equal(new RunConfig(), RunConfigLoader.Parse(json, "defaults.json"));
    }

    [Fact]
    public void ToJson_round_trips_a_config_with_every_field_changed()
    {
        var config = EveryFieldChanged();
        RunConfigLoader.Validate(config, "test");

        var parsed = RunConfigLoader.Parse(RunConfigLoader.ToJson(config), "round-trip.json");

        Assert.Equal(config, parsed);
        Assert.Equal(config.StopStrings, parsed.StopStrings);
        Assert.Equal(0.28f, parsed.EpsilonHigh);
        Assert.Equal(LossKind.DrGrpo, parsed.LossType);
        Assert.Equal(0.1, parsed.RewardWeights["format"]);
        Assert.Equal(ComputeDtypeKind.Bfloat16, parsed.ComputeDtype);
    }

    [Fact]
    public void Reward_weights_are_read_from_an_object_and_default_to_the_answer_alone()
    {
        var parsed = RunConfigLoader.Parse("""{ "reward_weights": { "answer": 1, "format": 0.25 } }""", "weights.json");

        Assert.Equal(new Dictionary<string, double> { ["answer"] = 1, ["format"] = 0.25 }, parsed.RewardWeights);
        Assert.Equal(new Dictionary<string, double> { ["answer"] = 1 }, new RunConfig().RewardWeights);
        Assert.NotEqual(new RunConfig(), parsed);
    }

    [Theory]
    [InlineData("""{ "reward_weights": { "answer": "1" } }""", "reward_weights: expected an object of names to numbers")]
    [InlineData("""{ "reward_weights": { "answr": 1 } }""", "reward_weights: 'answr' is not a reward")]
    [InlineData("""{ "reward_weights": { "answer": 0 } }""", "reward_weights: must give at least one reward a weight other than 0")]
    [InlineData("""{ "format_pattern": "(" }""", "format_pattern: '(' is not a valid regular expression")]
    [InlineData("""{ "compute_dtype": "float16" }""", "compute_dtype: expected one of float32, bfloat16")]
    [InlineData("""{ "system_prompt": "hi" }""", "system_prompt: needs model_path")]
    [InlineData("""{ "task": "gsm8k" }""", "dataset_path: is required when task is gsm8k")]
    public void Bad_model_and_reward_keys_are_refused_by_name(string json, string expected)
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse(json, "bad.json"));

        Assert.Contains(error.Problems, problem => problem.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_reads_what_ToJson_wrote_to_a_file()
    {
        using var folder = new TemporaryFolder();
        var config = EveryFieldChanged();
        var file = folder.Write("run.json", RunConfigLoader.ToJson(config));

        Assert.Equal(config, RunConfigLoader.Load(file));
    }

    [Fact]
    public void ToJson_writes_every_key_with_snake_case_names_and_enum_strings()
    {
        using var document = JsonDocument.Parse(RunConfigLoader.ToJson(EveryFieldChanged()));
        var root = document.RootElement;

        Assert.Equal(RunConfigLoader.Keys, root.EnumerateObject().Select(property => property.Name));
        Assert.Equal("k2", root.GetProperty("kl_estimator").GetString());
        Assert.Equal("dr_grpo", root.GetProperty("loss_type").GetString());
        Assert.Equal("batch", root.GetProperty("scale_rewards").GetString());
        Assert.Equal("sequence", root.GetProperty("importance_sampling").GetString());
        Assert.Equal("warmup_cosine", root.GetProperty("lr_schedule").GetString());
        Assert.Equal(0.7, root.GetProperty("temperature").GetDouble(), 6);
        Assert.Equal(["\n\n", "a,b", "\"quoted\""], root.GetProperty("stop_strings").EnumerateArray().Select(item => item.GetString()));
    }

    [Fact]
    public void ToJson_of_the_defaults_writes_nulls_rather_than_leaving_keys_out()
    {
        using var document = JsonDocument.Parse(RunConfigLoader.ToJson(new RunConfig()));

        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("epsilon_high").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("model_path").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("dataset_path").ValueKind);
        Assert.Contains('\n', RunConfigLoader.ToJson(new RunConfig()));
    }

    [Theory]
    [InlineData("k1", KlEstimatorKind.K1)]
    [InlineData("k2", KlEstimatorKind.K2)]
    [InlineData("k3", KlEstimatorKind.K3)]
    public void Kl_estimator_names_map(string name, KlEstimatorKind expected)
    {
        Assert.Equal(expected, RunConfigLoader.Parse($$"""{ "kl_estimator": "{{name}}" }""", "x.json").KlEstimator);
    }

    [Theory]
    [InlineData("grpo", LossKind.Grpo)]
    [InlineData("bnpo", LossKind.Bnpo)]
    [InlineData("dapo", LossKind.Dapo)]
    [InlineData("dr_grpo", LossKind.DrGrpo)]
    public void Loss_type_names_map(string name, LossKind expected)
    {
        Assert.Equal(expected, RunConfigLoader.Parse($$"""{ "loss_type": "{{name}}" }""", "x.json").LossType);
    }

    [Fact]
    public void Enums_serialise_as_names_on_their_own_too()
    {
        Assert.Equal("\"warmup_cosine\"", JsonSerializer.Serialize(LearningRateScheduleKind.WarmupCosine));
        Assert.Equal("\"none\"", JsonSerializer.Serialize(ScaleRewardsKind.None));
        Assert.Equal(ImportanceSamplingKind.Sequence, JsonSerializer.Deserialize<ImportanceSamplingKind>("\"sequence\""));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<LossKind>("3"));
    }

    [Fact]
    public void A_partial_file_with_comments_and_trailing_commas_keeps_the_other_defaults()
    {
        const string json = """
            // a hand-written run
            {
              "steps": 5,         /* short */
              "group_size": 4,
              "epsilon_high": null,
              "stop_strings": ["\n"],
            }
            """;

        var config = RunConfigLoader.Parse(json, "hand.json");

        Assert.Equal(new RunConfig { Steps = 5, GroupSize = 4, StopStrings = ["\n"] }, config);
    }

    [Fact]
    public void A_byte_order_mark_is_accepted()
    {
        using var folder = new TemporaryFolder();
        var file = Path.Combine(folder.Path, "bom.json");
        File.WriteAllText(file, """{ "seed": 3 }""", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        Assert.Equal(3, RunConfigLoader.Load(file).Seed);
    }
}
