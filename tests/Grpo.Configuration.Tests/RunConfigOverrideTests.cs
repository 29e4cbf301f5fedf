using Grpo.Abstractions.Configuration;
using Grpo.Grains.Runs.Components;

namespace Grpo.Configuration.Tests;

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
    public void Components_and_choices_by_name()
    {
        var config = Apply("kl_estimator=k1", "loss_type=dr_grpo", "advantage_estimator.scale=none",
            "importance_sampling=sequence", "lr_schedule=warmup_cosine", "lr_warmup_steps=4");

        Assert.Equal(new ComponentSpec("k1"), config.KlEstimator);
        Assert.Equal(new ComponentSpec("dr_grpo"), config.LossType);
        Assert.Equal(new ComponentSpec("grpo").WithParameter("scale", "none"), config.AdvantageEstimator);
        Assert.Equal("sequence", config.ImportanceSampling);
        Assert.Equal("warmup_cosine", config.LrSchedule);
        Assert.Equal(4, config.LrWarmupSteps);
    }

    [Fact]
    public void Nullable_values_are_set_and_cleared_by_null_or_nothing()
    {
        var set = Apply("epsilon_high=0.28", "model_path=/models/m", "system_prompt=Be brief.");
        Assert.Equal(0.28f, set.EpsilonHigh);
        Assert.Equal("/models/m", set.ModelPath);
        Assert.Equal("Be brief.", set.SystemPrompt);

        var cleared = RunConfigLoader.ApplyOverrides(set, ["epsilon_high=null", "system_prompt=NULL", "model_path="]);
        Assert.Null(cleared.EpsilonHigh);
        Assert.Null(cleared.ModelPath);
        Assert.Null(cleared.SystemPrompt);
    }

    [Fact]
    public void String_values_are_taken_verbatim()
    {
        Assert.Equal("tiny", Apply("model_preset=tiny").ModelPreset);
        Assert.Equal(" Be=brief ", Apply("model_path=/m", "system_prompt= Be=brief ").SystemPrompt);
        var task = Apply("task=jsonl", "task.prompt_field=my question", "task.answer_field=a=b").Task;
        Assert.Equal("my question", task.Parameter("prompt_field")!.Value.GetString());
        Assert.Equal("a=b", task.Parameter("answer_field")!.Value.GetString());
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
    [InlineData("loss_type=", "loss_type: '' is not a component name or an object with \"name\" and its parameters")]
    [InlineData("loss_type={\"nme\": 1}", "loss_type: '{\"nme\": 1}' is not a component name or an object with \"name\" and its parameters: a component object needs \"name\" (e.g. {\"name\": \"...\"})")]
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
        var error = Assert.Throws<RunConfigException>(() =>
            RunConfigLoader.ApplyOverrides(new RunConfig(), ["top_p=0", "task=jsonl"], RunComponentCatalog.Default));

        Assert.Equal(2, error.Problems.Count);
        Assert.StartsWith("top_p: must be in (0, 1], got 0", error.Problems[0]);
        Assert.Equal("task.path: is required", error.Problems[1]);
        Assert.Contains(RunConfigLoader.OverridesSourceName, error.Message);
    }

    [Fact]
    public void Every_bad_assignment_is_reported_at_once()
    {
        var error = Fails("nope", "stpes=1", "seed=x");

        Assert.Equal(3, error.Problems.Count);
    }

    [Fact]
    public void A_renamed_key_says_what_it_became()
    {
        var problem = Assert.Single(Fails("reward_weights=answer=1,format=0.1").Problems);

        Assert.StartsWith("reward_weights: 'reward_weights' was renamed: use rewards", problem);
        Assert.EndsWith("(in '--set reward_weights=answer=1,format=0.1')", problem);
        Assert.StartsWith("dataset_path: 'dataset_path' was renamed: use task.path (see docs/configuration.md)", Assert.Single(Fails("dataset_path=d.jsonl").Problems));
    }

    [Fact]
    public void Component_parameters_are_set_by_dotted_paths_and_typed_as_json()
    {
        var config = RunConfigLoader.ApplyOverrides(new RunConfig(),
            ["loss_type=dapo", "task=gsm8k", "task.path=data.jsonl", "task.prompt_field=\"7\"", "advantage_estimator.scale=batch", "policy_loss.tau_pos=1.2"]);

        Assert.Equal(new ComponentSpec("dapo"), config.LossType);
        Assert.Equal(new ComponentSpec("gsm8k").WithParameter("path", "data.jsonl").WithParameter("prompt_field", "7"), config.Task);
        Assert.Equal("batch", config.AdvantageEstimator.Parameter("scale")!.Value.GetString());
        Assert.Equal(1.2, config.PolicyLoss.Parameter("tau_pos")!.Value.GetDouble());
    }

    [Fact]
    public void Entries_of_a_list_of_components_are_set_replaced_and_appended_by_index()
    {
        var config = RunConfigLoader.ApplyOverrides(new RunConfig(),
            ["rewards[1]=format", "rewards[1].weight=0.5", "rewards[1].pattern=####", "rewards[2]={\"name\": \"length\", \"weight\": 0.2}", "rewards[0].weight="],
            RunComponentCatalog.Default);

        Assert.Equal(
            [new ComponentSpec("answer"), new ComponentSpec("format").WithParameter("weight", 0.5).WithParameter("pattern", "####"), new ComponentSpec("length").WithParameter("weight", 0.2)],
            config.Rewards);
        Assert.Equal(["answer", "length"], RunConfigLoader.ApplyOverrides(config, ["rewards=answer,length"]).Rewards.Select(r => r.Name));
        Assert.Equal("length", RunConfigLoader.ApplyOverrides(config, ["rewards[1].name=length"]).Rewards[1].Name);
        Assert.Equal("####", RunConfigLoader.ApplyOverrides(config, ["rewards[1].name=length"]).Rewards[1].Parameter("pattern")!.Value.GetString());
    }

    [Theory]
    [InlineData("rewards[3].weight=1", "rewards[3].weight: rewards has 1 entries (from [0]); rewards[1]=NAME adds one")]
    [InlineData("rewards[1].weight=1", "rewards[1].weight: rewards has 1 entries (from [0]); rewards[1]=NAME adds one")]
    [InlineData("rewards.weight=1", "rewards.weight: rewards is a list; name the entry, e.g. rewards[0].weight")]
    [InlineData("loss_type[0]=dapo", "loss_type[0]: loss_type selects one component, not a list; write loss_type.parameter")]
    [InlineData("steps.x=1", "steps.x: steps is not a component; only keys that select components take [index] or .parameter")]
    [InlineData("rewards[x]=1", "rewards[x]: unknown key in '--set rewards[x]=1'; write key, key.parameter, key[index] or key[index].parameter")]
    [InlineData("tsk.path=a", "tsk: unknown key in '--set tsk.path=a'; did you mean task?")]
    public void Bad_component_paths_are_refused_by_path(string argument, string expected)
    {
        var problem = Assert.Single(Fails(argument).Problems);

        Assert.StartsWith(expected, problem);
    }

    [Fact]
    public void Overridden_component_names_are_checked_against_the_catalog()
    {
        var error = Assert.Throws<RunConfigException>(() =>
            RunConfigLoader.ApplyOverrides(new RunConfig(), ["kl_estimator=k4", "compute_dtype=bfloat16"], RunComponentCatalog.Default));

        Assert.Equal(["kl_estimator: 'k4' is not a registered KL estimator; did you mean 'k1'? (known: k1, k2, k3, low_var_kl)"], error.Problems);
    }
}
