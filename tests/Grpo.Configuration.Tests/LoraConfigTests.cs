using Grpo.Abstractions.Configuration;
using Grpo.Grains.Runs;
using Grpo.Grains.Runs.Components;

namespace Grpo.Configuration.Tests;

public sealed class LoraConfigTests
{
    private static readonly RunConfig Defaults = new();

    [Fact]
    public void Lora_is_off_by_default_with_alpha_16_on_all_seven_projections_in_float32()
    {
        Assert.Equal(0, Defaults.LoraRank);
        Assert.Equal(16, Defaults.LoraAlpha);
        Assert.Equal(0, Defaults.LoraDropout);
        Assert.Equal(["q", "k", "v", "o", "gate", "up", "down"], Defaults.LoraTargetModules);
        Assert.Equal("float32", Defaults.LoraBaseDtype);
        Assert.Null(RunBaseModel.Lora(Defaults));
    }

    [Theory]
    [InlineData("lora_rank -1", "lora_rank: must be at least 0, got -1")]
    [InlineData("lora_alpha 0", "lora_alpha: must be greater than 0, got 0")]
    [InlineData("lora_alpha NaN", "lora_alpha: must be greater than 0, got NaN")]
    [InlineData("lora_dropout 1", "lora_dropout: must be in [0, 1), got 1")]
    [InlineData("lora_target_modules empty", "lora_target_modules: must name at least one projection")]
    [InlineData("lora_target_modules lm_head", "lora_target_modules: 'lm_head' is not a projection; use q, k, v, o, gate, up, down")]
    [InlineData("lora_target_modules twice", "lora_target_modules: names q_proj twice")]
    [InlineData("lora_base_dtype float16", "lora_base_dtype: must be one of float32, bfloat16, got 'float16'")]
    public void Each_lora_rule_names_its_key(string caseName, string expectedProblem)
    {
        var config = caseName switch
        {
            "lora_rank -1" => Defaults with { LoraRank = -1 },
            "lora_alpha 0" => Defaults with { LoraRank = 8, LoraAlpha = 0 },
            "lora_alpha NaN" => Defaults with { LoraRank = 8, LoraAlpha = double.NaN },
            "lora_dropout 1" => Defaults with { LoraRank = 8, LoraDropout = 1 },
            "lora_target_modules empty" => Defaults with { LoraRank = 8, LoraTargetModules = [] },
            "lora_target_modules lm_head" => Defaults with { LoraRank = 8, LoraTargetModules = ["q", "lm_head"] },
            "lora_target_modules twice" => Defaults with { LoraRank = 8, LoraTargetModules = ["q", "q_proj"] },
            "lora_base_dtype float16" => Defaults with { LoraRank = 8, LoraBaseDtype = "float16" },
            _ => throw new ArgumentException(caseName),
        };

        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Validate(config, "lora", RunComponentCatalog.Default));

        Assert.StartsWith(expectedProblem, Assert.Single(error.Problems));
    }

    [Fact]
    public void Keys_set_from_json_and_the_command_line_map_onto_peft_options()
    {
        var fromJson = RunConfigLoader.Parse(
            """{ "lora_rank": 4, "lora_alpha": 8, "lora_dropout": 0.05, "lora_target_modules": ["q", "v_proj", "down"], "lora_base_dtype": "bfloat16" }""",
            "lora.json");
        var fromSet = RunConfigLoader.ApplyOverrides(new RunConfig(),
            ["lora_rank=4", "lora_alpha=8", "lora_dropout=0.05", "lora_target_modules=q,v_proj,down", "lora_base_dtype=bfloat16"]);
        Assert.Equal(fromJson, fromSet);

        var options = RunBaseModel.Lora(fromJson)!;
        Assert.Equal(4, options.Rank);
        Assert.Equal(2.0, options.Scale);
        Assert.Equal(0.05, options.Dropout);
        Assert.Equal(["q_proj", "v_proj", "down_proj"], options.TargetModules);
        Assert.Equal("bfloat16", options.BaseDtype);
    }

    [Fact]
    public void Full_projection_names_and_the_largest_dropout_are_accepted() =>
        RunConfigLoader.Validate(Defaults with { LoraRank = 1, LoraDropout = 0.99, LoraTargetModules = ["gate_proj", "up", "o"] }, "lora", RunComponentCatalog.Default);
}
