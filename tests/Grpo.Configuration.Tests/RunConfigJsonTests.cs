using System.Text.Json;
using Grpo.Abstractions.Configuration;
using Grpo.Grains.Runs.Components;

namespace Grpo.Configuration.Tests;

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
        KlEstimator = "k2",
        Epsilon = 0.2f,
        EpsilonHigh = 0.28f,
        LossType = "dr_grpo",
        AdvantageEstimator = new ComponentSpec("grpo").WithParameter("scale", "batch"),
        ImportanceSampling = "sequence",
        NumIterations = 2,
        MaskTruncated = true,
        DynamicSampling = true,
        LearningRate = 1e-6,
        LrSchedule = "warmup_cosine",
        LrWarmupSteps = 3,
        WeightDecay = 0.1,
        MaxGradNorm = 0.5,
        MinibatchSize = 8,
        ModelPreset = "medium50m",
        ModelPath = "/models/Qwen2.5-0.5B",
        Task = new ComponentSpec("jsonl").WithParameter("path", "/data/gsm8k.jsonl").WithParameter("prompt_field", "prompt").WithParameter("answer_field", "solution"),
        SystemPrompt = "Reason step by step.",
        UseChatTemplate = false,
        EnableThinking = false,
        ComputeDtype = "bfloat16",
        Rewards =
        [
            new ComponentSpec("format").WithParameter("weight", 0.1).WithParameter("pattern", @"\\boxed\{"),
            new ComponentSpec("answer").WithParameter("weight", 1.0),
            new ComponentSpec("length").WithParameter("weight", 0.5),
        ],
        DynamicSamplingMaxRounds = 5,
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
        RunConfigLoader.Validate(config, "test", RunComponentCatalog.Default);

        var parsed = RunConfigLoader.Parse(RunConfigLoader.ToJson(config), "round-trip.json");

        Assert.Equal(config, parsed);
        Assert.Equal(config.StopStrings, parsed.StopStrings);
        Assert.Equal(0.28f, parsed.EpsilonHigh);
        Assert.Equal("dr_grpo", parsed.LossType.Name);
        Assert.Equal(0.1, RewardWeights.Of(parsed.Rewards[0]));
        Assert.Equal(@"\\boxed\{", parsed.Rewards[0].Parameter("pattern")!.Value.GetString());
        Assert.Equal("bfloat16", parsed.ComputeDtype);
    }

    [Fact]
    public void Rewards_are_read_from_a_list_and_default_to_the_answer_alone()
    {
        var parsed = RunConfigLoader.Parse("""{ "rewards": ["answer", { "name": "format", "weight": 0.25 }] }""", "rewards.json");

        Assert.Equal([new ComponentSpec("answer"), new ComponentSpec("format").WithParameter("weight", 0.25)], parsed.Rewards);
        Assert.Equal([new ComponentSpec("answer").WithParameter("weight", 1.0)], new RunConfig().Rewards);
        Assert.NotEqual(new RunConfig(), parsed);
    }

    [Fact]
    public void A_component_is_read_from_a_name_or_an_object_and_whitespace_does_not_matter()
    {
        var byName = RunConfigLoader.Parse("""{ "loss_type": "dapo" }""", "a.json");
        var byObject = RunConfigLoader.Parse("""{ "loss_type": { "name": "dapo" } }""", "b.json");
        var spaced = RunConfigLoader.Parse("""{ "task": { "name": "jsonl", "path": "d.jsonl", "extra": { "a" : [1, 2] } } }""", "c.json");
        var compact = RunConfigLoader.Parse("""{"task":{"extra":{"a":[1,2]},"path":"d.jsonl","name":"jsonl"}}""", "d.json");

        Assert.Equal(byName, byObject);
        Assert.Equal(spaced, compact);
        Assert.Equal("{\"a\":[1,2]}", spaced.Task.Parameters["extra"]);
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
    public void ToJson_writes_every_key_with_snake_case_names_and_components_as_names_or_objects()
    {
        using var document = JsonDocument.Parse(RunConfigLoader.ToJson(EveryFieldChanged()));
        var root = document.RootElement;

        Assert.Equal(RunConfigLoader.Keys, root.EnumerateObject().Select(property => property.Name));
        Assert.Equal("k2", root.GetProperty("kl_estimator").GetString());
        Assert.Equal("dr_grpo", root.GetProperty("loss_type").GetString());
        Assert.Equal("batch", root.GetProperty("advantage_estimator").GetProperty("scale").GetString());
        Assert.Equal("grpo", root.GetProperty("advantage_estimator").GetProperty("name").GetString());
        Assert.Equal("sequence", root.GetProperty("importance_sampling").GetString());
        Assert.Equal("warmup_cosine", root.GetProperty("lr_schedule").GetString());
        Assert.Equal(0.5, root.GetProperty("rewards")[2].GetProperty("weight").GetDouble());
        Assert.Equal(0.7, root.GetProperty("temperature").GetDouble(), 6);
        Assert.Equal(["\n\n", "a,b", "\"quoted\""], root.GetProperty("stop_strings").EnumerateArray().Select(item => item.GetString()));
    }

    [Fact]
    public void ToJson_of_the_defaults_writes_nulls_rather_than_leaving_keys_out()
    {
        using var document = JsonDocument.Parse(RunConfigLoader.ToJson(new RunConfig()));

        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("epsilon_high").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("model_path").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("system_prompt").ValueKind);
        Assert.Contains('\n', RunConfigLoader.ToJson(new RunConfig()));
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
