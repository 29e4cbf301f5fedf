using Grpo.Abstractions.Configuration;
using Grpo.Grains.Runs.Components;

namespace Grpo.Configuration.Tests;

public sealed class RunConfigJsonErrorTests
{
    private static RunConfigException LoadFails(string json, out string file)
    {
        using var folder = new TemporaryFolder();
        file = folder.Write("run.json", json);
        var path = file;
        return Assert.Throws<RunConfigException>(() => RunConfigLoader.Load(path));
    }

    [Fact]
    public void Unknown_key_in_a_file_names_the_file_the_line_the_key_and_a_suggestion()
    {
        var error = LoadFails("""
            {
              "steps": 10,
              "grup_size": 4
            }
            """, out var file);

        Assert.Contains(file, error.Message);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("grup_size", error.Message);
        Assert.Contains("did you mean group_size?", error.Message);
        Assert.Equal(["line 3: grup_size: unknown key; did you mean group_size?"], error.Problems);
    }

    [Fact]
    public void Unknown_key_far_from_any_key_lists_all_keys()
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse("""{ "zzzzzzzz": 1 }""", "x.json"));

        Assert.Contains("valid keys are seed, steps,", error.Message);
        Assert.Contains("completion_timeout_seconds", error.Message);
    }

    [Fact]
    public void Every_bad_key_is_reported_at_once()
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse("""
            {
              "stpes": 10,
              "top_p": "high",
              "beta": null
            }
            """, "many.json"));

        Assert.Equal(3, error.Problems.Count);
        Assert.StartsWith("line 2: stpes:", error.Problems[0]);
        Assert.StartsWith("line 3: top_p:", error.Problems[1]);
        Assert.StartsWith("line 4: beta:", error.Problems[2]);
        Assert.Contains("(3 problems)", error.Message);
    }

    [Theory]
    [InlineData("steps", "\"40\"", "expected a whole number (int), got the string \"40\"")]
    [InlineData("steps", "40.5", "expected a whole number (int), got the number 40.5")]
    [InlineData("steps", "10000000000", "expected a whole number (int), got the number 10000000000")]
    [InlineData("temperature", "true", "expected a number (float), got true")]
    [InlineData("temperature", "1e40", "expected a number (float), got the number 1e40")]
    [InlineData("learning_rate", "[1]", "expected a number (double), got the array [1]")]
    [InlineData("mask_truncated", "1", "expected true or false, got the number 1")]
    [InlineData("model_preset", "3", "expected a string, got the number 3")]
    [InlineData("stop_strings", "\"###\"", "expected a list of strings")]
    [InlineData("stop_strings", "[\"a\", 1]", "expected a list of strings")]
    [InlineData("epsilon_high", "\"0.3\"", "expected a number (float) or null, got the string \"0.3\"")]
    [InlineData("model_path", "{}", "expected a string or null, got an object")]
    [InlineData("steps", "null", "must not be null; expected a whole number (int)")]
    [InlineData("task", "null", "must not be null; expected a component name or an object with \"name\"")]
    [InlineData("task", "3", "expected a component name or an object with \"name\" and its parameters, got the number 3")]
    [InlineData("loss_type", "[\"dapo\"]", "expected a component name or an object with \"name\" and its parameters, got the array")]
    [InlineData("rewards", "{}", "expected a list of components (each a name or an object with \"name\" and its parameters), got an object")]
    [InlineData("importance_sampling", "1", "expected a string, got the number 1")]
    [InlineData("stop_strings", "null", "must not be null")]
    public void Wrong_type_names_the_key_line_and_expected_type(string key, string value, string expected)
    {
        var error = Assert.Throws<RunConfigException>(() =>
            RunConfigLoader.Parse($"{{\n  \"{key}\": {value}\n}}", "types.json"));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"line 2: {key}: ", problem);
        Assert.Contains(expected, problem);
        Assert.Contains("types.json", error.Message);
    }

    [Theory]
    [InlineData("kl_estimator", "k4", "'k4' is not a registered KL estimator; did you mean 'k1'? (known: k1, k2, k3, low_var_kl)")]
    [InlineData("loss_type", "drgrpo", "'drgrpo' is not a registered loss aggregation; did you mean 'dr_grpo'? (known: bnpo, dapo, dr_grpo, grpo)")]
    [InlineData("policy_loss", "clp", "'clp' is not a registered policy loss; did you mean 'clip'? (known: cispo, clip, sapo)")]
    [InlineData("advantage_estimator", "grpo2", "'grpo2' is not a registered advantage estimator; did you mean 'grpo'? (known: grpo, reinforce_pp_baseline, rloo)")]
    [InlineData("task", "gsm9k", "'gsm9k' is not a registered task; did you mean 'gsm8k'? (known: arithmetic, csv, gsm8k, jsonl, math)")]
    public void Unknown_component_names_the_line_the_kind_and_the_registered_names(string key, string value, string expected)
    {
        var error = Assert.Throws<RunConfigException>(() =>
            RunConfigLoader.Parse($"{{\n  \"seed\": 1,\n  \"{key}\": \"{value}\"\n}}", "components.json", RunComponentCatalog.Default));

        Assert.Equal([$"line 3: {key}: {expected}"], error.Problems);
    }

    [Theory]
    [InlineData("importance_sampling", "seq", "token, sequence")]
    [InlineData("lr_schedule", "cosine", "constant, warmup_cosine")]
    [InlineData("compute_dtype", "float16", "float32, bfloat16")]
    public void Invalid_choice_lists_the_allowed_values(string key, string value, string allowed)
    {
        var error = Assert.Throws<RunConfigException>(() =>
            RunConfigLoader.Parse($"{{ \"{key}\": \"{value}\" }}", "choice.json"));

        Assert.Equal([$"line 1: {key}: must be one of {allowed}, got '{value}'"], error.Problems);
    }

    [Fact]
    public void Components_are_not_checked_without_a_catalog()
    {
        Assert.Equal("sapo", RunConfigLoader.Parse("""{ "policy_loss": "sapo" }""", "x.json").PolicyLoss.Name);
    }

    [Fact]
    public void Component_integers_are_refused()
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse("""{ "loss_type": 3 }""", "enum.json"));

        Assert.Contains("loss_type: expected a component name or an object with \"name\" and its parameters, got the number 3", error.Message);
    }

    [Fact]
    public void Out_of_range_value_in_a_file_points_at_its_line()
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse("""
            {
              "seed": 1,
              "top_p": 1.5
            }
            """, "range.json"));

        Assert.Equal(["line 3: top_p: must be in (0, 1], got 1.5"], error.Problems);
    }

    [Fact]
    public void Jsonl_task_without_a_path_is_refused_at_the_task_line()
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse("""{ "task": "jsonl" }""", "task.json", RunComponentCatalog.Default));

        var problem = Assert.Single(error.Problems);
        Assert.Equal("line 1: task.path: is required", problem);
    }

    [Fact]
    public void Duplicate_key_is_refused_with_both_lines()
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse("{\n \"seed\": 1,\n \"seed\": 2\n}", "dup.json"));

        Assert.Equal(["line 3: seed: appears twice (first on line 2)"], error.Problems);
    }

    [Fact]
    public void Missing_file_names_the_full_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "grpo-no-such-" + Guid.NewGuid().ToString("N"), "run.json");

        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Load(path));

        Assert.Equal($"Run configuration file not found: {path}", error.Message);
    }

    [Fact]
    public void A_directory_is_not_a_config_file()
    {
        using var folder = new TemporaryFolder();

        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Load(folder.Path));

        Assert.Contains("is a directory", error.Message);
        Assert.Contains(folder.Path, error.Message);
    }

    [Fact]
    public void Malformed_json_reports_the_one_based_line()
    {
        var error = LoadFails("{\n  \"seed\": 1,\n  \"steps\": ,\n}", out var file);

        Assert.Contains(file, error.Message);
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("line 3: invalid JSON:", problem);
        Assert.DoesNotContain("LineNumber", problem);
    }

    [Theory]
    [InlineData("[1, 2]", 1)]
    [InlineData("42", 1)]
    [InlineData("\n\n\"text\"", 3)]
    public void Top_level_must_be_an_object(string json, int line)
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse(json, "shape.json"));

        Assert.Equal([$"line {line}: the configuration must be one JSON object ({{ \"key\": value, ... }})"], error.Problems);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n  ")]
    public void Empty_text_is_invalid_json(string json)
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse(json, "empty.json"));

        Assert.Contains("invalid JSON", error.Message);
        Assert.Contains("empty.json", error.Message);
    }

    [Fact]
    public void Content_after_the_object_is_refused()
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse("{ \"seed\": 1 }\n{ \"seed\": 2 }", "two.json"));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("line 2: ", problem);
    }
}
