using Grpo.Abstractions.Configuration;

namespace Grpo.Abstractions.Tests.Configuration;

public sealed class RunConfigOverrideTests
{
    private static RunConfig Apply(params string[] assignments) =>
        RunConfigLoader.ApplyOverrides(new RunConfig(), assignments);

    private static RunConfigException Fails(params string[] assignments) =>
        Assert.Throws<RunConfigException>(() => Apply(assignments));

    [Fact]
    public void Int_values()
    {
        Assert.Equal(-3, Apply("seed=-3").Seed);
        Assert.Equal(100, Apply("steps= 100 ").Steps);
    }

    [Fact]
    public void Float_and_double_values_use_the_invariant_culture()
    {
        var config = Apply("temperature=0.7", "learning_rate=1e-6", "max_grad_norm=.5");

        Assert.Equal(0.7f, config.Temperature);
        Assert.Equal(1e-6, config.LearningRate);
        Assert.Equal(0.5, config.MaxGradNorm);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("False", false)]
    [InlineData("TRUE", true)]
    public void Bool_values(string text, bool expected)
    {
        Assert.Equal(expected, Apply("mask_truncated=" + text).MaskTruncated);
    }

    [Fact]
    public void Enum_values_by_their_json_names()
    {
        var config = Apply("kl_estimator=k1", "loss_type=dr_grpo", "scale_rewards=none",
            "importance_sampling=sequence", "lr_schedule=warmup_cosine", "lr_warmup_steps=4");

        Assert.Equal(KlEstimatorKind.K1, config.KlEstimator);
        Assert.Equal(LossKind.DrGrpo, config.LossType);
        Assert.Equal(ScaleRewardsKind.None, config.ScaleRewards);
        Assert.Equal(ImportanceSamplingKind.Sequence, config.ImportanceSampling);
        Assert.Equal(LearningRateScheduleKind.WarmupCosine, config.LrSchedule);
        Assert.Equal(4, config.LrWarmupSteps);
    }

    [Fact]
    public void Nullable_values_are_set_and_cleared_by_null_or_nothing()
    {
        var set = Apply("epsilon_high=0.28", "model_path=/models/m", "task=jsonl", "dataset_path=d.jsonl");
        Assert.Equal(0.28f, set.EpsilonHigh);
        Assert.Equal("/models/m", set.ModelPath);
        Assert.Equal("d.jsonl", set.DatasetPath);

        var cleared = RunConfigLoader.ApplyOverrides(set, ["epsilon_high=null", "model_path=", "task=arithmetic", "dataset_path=NULL"]);
        Assert.Null(cleared.EpsilonHigh);
        Assert.Null(cleared.ModelPath);
        Assert.Null(cleared.DatasetPath);
    }

    [Fact]
    public void String_values_are_taken_verbatim()
    {
        Assert.Equal("my question", Apply("prompt_field=my question").PromptField);
        Assert.Equal("a=b", Apply("answer_field=a=b").AnswerField);
    }

    [Fact]
    public void String_arrays_are_comma_separated_with_escapes()
    {
        Assert.Equal(["###", "END"], Apply("stop_strings=###,END").StopStrings);
        Assert.Equal(["a,b", "\n\n", "\t", "c\\d"], Apply(@"stop_strings=a\,b,\n\n,\t,c\\d").StopStrings);
        Assert.Empty(RunConfigLoader.ApplyOverrides(new RunConfig { StopStrings = ["x"] }, ["stop_strings="]).StopStrings);
    }

    [Fact]
    public void Later_assignments_win_and_the_input_is_left_alone()
    {
        var original = new RunConfig();

        var config = RunConfigLoader.ApplyOverrides(original, ["steps=5", "steps=6"]);

        Assert.Equal(6, config.Steps);
        Assert.Equal(300, original.Steps);
    }

    [Fact]
    public void No_assignments_give_an_equal_config()
    {
        Assert.Equal(new RunConfig(), Apply());
    }

    [Theory]
    [InlineData("steps")]
    [InlineData("steps:5")]
    [InlineData("")]
    public void Missing_equals_sign_quotes_the_argument(string argument)
    {
        var error = Fails(argument);

        Assert.Equal([$"'--set {argument}' is not of the form --set key=value"], error.Problems);
        Assert.Contains(RunConfigLoader.OverridesSourceName, error.Message);
    }

    [Fact]
    public void Unknown_key_names_the_key_and_suggests_the_nearest()
    {
        var error = Fails("stpes=5");

        Assert.Equal(["stpes: unknown key in '--set stpes=5'; did you mean steps?"], error.Problems);
    }

    [Theory]
    [InlineData("group-size=4", "group_size")]
    [InlineData("learning_rat=1", "learning_rate")]
    [InlineData("warmup=1", "warmup_sft_steps")]
    [InlineData("Top_P=0.5", "top_p")]
    [InlineData("lr=0.1", "lr_schedule")]
    public void Suggestions_find_the_intended_key(string argument, string suggestion)
    {
        var problem = Assert.Single(Fails(argument).Problems);

        Assert.Contains("did you mean", problem);
        Assert.Contains(suggestion, problem);
    }

    [Theory]
    [InlineData("steps=ten", "steps: 'ten' is not a whole number (int)")]
    [InlineData("steps=4.0", "steps: '4.0' is not a whole number (int)")]
    [InlineData("steps=99999999999", "steps: '99999999999' is not a whole number (int)")]
    [InlineData("temperature=warm", "temperature: 'warm' is not a number (float)")]
    [InlineData("temperature=NaN", "temperature: 'NaN' is not a number (float)")]
    [InlineData("learning_rate=1,5", "learning_rate: '1,5' is not a number (double)")]
    [InlineData("weight_decay=Infinity", "weight_decay: 'Infinity' is not a number (double)")]
    [InlineData("mask_truncated=yes", "mask_truncated: 'yes' is not true or false")]
    [InlineData("kl_estimator=k4", "kl_estimator: 'k4' is not one of k1, k2, k3")]
    [InlineData("loss_type=", "loss_type: '' is not one of grpo, bnpo, dapo, dr_grpo")]
    [InlineData("epsilon_high=big", "epsilon_high: 'big' is not a number (float) or null")]
    [InlineData("steps=", "steps: '' is not a whole number (int)")]
    public void Unparsable_value_names_key_value_and_expected_type(string argument, string expected)
    {
        var problem = Assert.Single(Fails(argument).Problems);

        Assert.Equal($"{expected} (in '--set {argument}')", problem);
    }

    [Theory]
    [InlineData(@"stop_strings=a\x", @"unknown escape \x")]
    [InlineData(@"stop_strings=a\", "lone backslash")]
    public void Bad_list_escapes_are_refused(string argument, string expected)
    {
        var problem = Assert.Single(Fails(argument).Problems);

        Assert.StartsWith("stop_strings: ", problem);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void The_result_is_validated()
    {
        var error = Fails("top_p=0", "task=jsonl");

        Assert.Equal(2, error.Problems.Count);
        Assert.StartsWith("top_p: must be in (0, 1], got 0", error.Problems[0]);
        Assert.StartsWith("dataset_path: is required when task is jsonl", error.Problems[1]);
        Assert.Contains(RunConfigLoader.OverridesSourceName, error.Message);
    }

    [Fact]
    public void Every_bad_assignment_is_reported_at_once()
    {
        var error = Fails("nope", "stpes=1", "seed=x");

        Assert.Equal(3, error.Problems.Count);
    }

    [Fact]
    public void Reward_weights_are_set_as_name_equals_number_pairs()
    {
        var set = RunConfigLoader.ApplyOverrides(new RunConfig(), ["reward_weights=answer=1, format=0.1", "compute_dtype=bfloat16"]);

        Assert.Equal(new Dictionary<string, double> { ["answer"] = 1, ["format"] = 0.1 }, set.RewardWeights);
        Assert.Equal(ComputeDtypeKind.Bfloat16, set.ComputeDtype);
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.ApplyOverrides(new RunConfig(), ["reward_weights=answer"]));
        Assert.StartsWith("reward_weights: 'answer' is not name=number", error.Problems[0]);
    }
}
