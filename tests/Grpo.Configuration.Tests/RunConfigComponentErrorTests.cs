using Grpo.Abstractions.Configuration;
using Grpo.Core.Registries;
using Grpo.Grains.Runs.Components;

namespace Grpo.Configuration.Tests;

public sealed class RunConfigComponentErrorTests
{
    private static RunConfigException Fails(string json) =>
        Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse(json, "components.json", RunComponentCatalog.Default));

    [Theory]
    [InlineData("dataset_path", "\"d.jsonl\"", "task.path")]
    [InlineData("prompt_field", "\"q\"", "task.prompt_field")]
    [InlineData("answer_field", "\"a\"", "task.answer_field")]
    [InlineData("arithmetic_max_operand", "9", "task.max_operand")]
    [InlineData("reward_weights", "{\"answer\": 1}", "rewards, a list of")]
    [InlineData("format_pattern", "\"####\"", "the pattern parameter of the format entry of rewards")]
    [InlineData("scale_rewards", "\"batch\"", "advantage_estimator.scale")]
    public void A_renamed_key_is_refused_with_what_it_became_at_its_line(string key, string value, string replacement)
    {
        var error = Fails($"{{\n  \"seed\": 1,\n  \"{key}\": {value}\n}}");

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"line 3: {key}: '{key}' was renamed: use {replacement}", problem);
        Assert.EndsWith("(see docs/configuration.md)", problem);
        Assert.Contains("components.json", error.Message);
    }

    [Fact]
    public void Every_renamed_key_is_no_key_of_the_record()
    {
        Assert.Empty(RenamedKeys.All.Keys.Intersect(RunConfigLoader.Keys));
    }

    [Fact]
    public void A_problem_inside_a_list_of_components_points_at_the_entry_line()
    {
        var error = Fails("""
            {
              "rewards": [
                "answer",
                {"name": "format",
                 "weight": "high"}
              ]
            }
            """);
        var unnamed = Fails("{\n \"rewards\": [\n  \"answer\",\n  {\"weight\": 1}\n ]\n}");

        Assert.Equal(["line 5: rewards[1].weight: expected a finite number, got the string \"high\""], error.Problems);
        Assert.Equal(["line 4: rewards[1]: a component object needs \"name\" (e.g. {\"name\": \"...\"})"], unnamed.Problems);
    }

    [Fact]
    public void A_component_object_without_a_name_is_refused()
    {
        var error = Fails("""{ "loss_type": {"nme": "dapo"} }""");

        Assert.Equal(["line 1: loss_type: a component object needs \"name\" (e.g. {\"name\": \"...\"})"], error.Problems);
    }

    [Fact]
    public void An_unknown_parameter_is_refused_at_its_line_with_a_suggestion()
    {
        var error = Fails("""
            {
              "task": {
                "name": "gsm8k",
                "path": "train.jsonl",
                "prompt_feild": "problem"
              }
            }
            """);

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("line 5: task.prompt_feild: is not a parameter of task 'gsm8k'; did you mean 'prompt_field'?", problem);
    }

    [Fact]
    public void A_duplicate_parameter_is_refused_with_both_lines()
    {
        var error = Fails("{\n \"task\": {\"name\": \"gsm8k\",\n  \"path\": \"a\",\n  \"path\": \"b\"}\n}");

        Assert.Equal(["line 4: task.path: appears twice (first on line 3)"], error.Problems);
    }

    [Theory]
    [InlineData("""{ "rewards": [{"name": "format", "pattern": "("}] }""", "rewards[0].pattern: Format reward pattern")]
    [InlineData("""{ "rewards": [{"name": "answer", "weight": 0}] }""", "rewards: must give at least one reward a weight other than 0")]
    [InlineData("""{ "rewards": [] }""", "rewards: must hold at least one reward")]
    [InlineData("""{ "rewards": ["answr"] }""", "rewards[0]: 'answr' is not a registered reward; did you mean 'answer'?")]
    [InlineData("""{ "rewards": [{"name": "length", "scale": 2}] }""", "rewards[0].scale: is not a parameter of reward 'length'; (it takes no parameters)")]
    [InlineData("""{ "advantage_estimator": {"name": "grpo", "scale": "std"} }""", "advantage_estimator.scale: must be one of group, batch, none, got 'std'")]
    [InlineData("""{ "task": {"name": "arithmetic", "max_operand": -1} }""", "task.max_operand: must be at least 0, got -1")]
    [InlineData("""{ "task": {"name": "math", "path": "m.jsonl", "prompt_field": ""} }""", "task.prompt_field: is empty")]
    [InlineData("""{ "kl_estimator": {"name": "k3", "clip": 1} }""", "kl_estimator.clip: is not a parameter of KL estimator 'k3'")]
    [InlineData("""{ "system_prompt": "hi" }""", "system_prompt: needs model_path")]
    [InlineData("""{ "task": "gsm8k" }""", "task.path: is required")]
    public void Component_rules_are_refused_by_path(string json, string expected)
    {
        var error = Fails(json);

        Assert.Contains(error.Problems, problem => problem.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_component_refusal_found_later_is_explained_with_the_file_and_line()
    {
        var loaded = RunConfigLoader.ParseWithSource("""
            {
              "seed": 1,
              "rewards": [
                "answer",
                {"name": "http", "url": 42}
              ]
            }
            """, "/runs/a.json");

        var atParameter = loaded.Source.Explain(new ComponentException("rewards[1].url", "expected a string"));
        var leftOut = loaded.Source.Explain(new ComponentException("rewards[1].timeout_seconds", "must be at least 1"));
        var notInFile = loaded.Source.Explain("task.path", "is required");

        Assert.Equal(["line 5: rewards[1].url: expected a string"], atParameter.Problems);
        Assert.Contains("/runs/a.json", atParameter.Message);
        Assert.IsType<ComponentException>(atParameter.InnerException);
        Assert.Equal(["line 5: rewards[1].timeout_seconds: must be at least 1"], leftOut.Problems);
        Assert.Equal(["task.path: is required"], notInFile.Problems);
    }

    [Fact]
    public void The_validator_checks_names_against_given_registries()
    {
        var registries = new GrpoRegistries();
        registries.Rewards.Add("answer", _ => throw new InvalidOperationException("not built while validating"));

        var problems = RunConfigValidator.FindProblems(new RunConfig { Rewards = [new ComponentSpec("answr")] }, registries);

        var problem = Assert.Single(problems);
        Assert.Equal("rewards[0]", problem.Key);
        Assert.Equal("'answr' is not a registered reward; did you mean 'answer'? (known: answer)", problem.Message);
        Assert.Empty(RunConfigValidator.FindProblems(new RunConfig(), registries));
    }

    [Fact]
    public void A_registry_without_names_yet_refuses_nothing()
    {
        Assert.Empty(RunConfigValidator.FindProblems(new RunConfig(), new GrpoRegistries()));
    }
}
