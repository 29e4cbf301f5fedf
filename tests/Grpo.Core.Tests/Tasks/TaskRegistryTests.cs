using Grpo.Core.Registries;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;
using Grpo.Core.Tests.Checkpoints;

namespace Grpo.Core.Tests.Tasks;

/// <summary>The built-in tasks selected by name, their parameters, and the data order runs depend on.</summary>
public sealed class TaskRegistryTests
{
    static string Prompts(IEnumerable<TaskExample> examples) => string.Join(" ", examples.Select(e => e.Prompt));

    [Fact]
    public void The_default_registries_hold_every_built_in_task_with_a_description()
    {
        var tasks = TaskArguments.Registries.Tasks;
        Assert.Equal(["arithmetic", "csv", "gsm8k", "jsonl", "math"], tasks.Names.Order(StringComparer.Ordinal));
        Assert.All(tasks.Names, name => Assert.NotEmpty(tasks.Describe(name)));
        Assert.Equal(tasks.Names, TaskArguments.Registries.Listing()["task"]);
    }

    [Fact]
    public void Arithmetic_keeps_the_problems_and_order_of_runs_made_before_the_registry()
    {
        // Pinned from ArithmeticTask with MaxOperand 9 and seed 3 and the run's replacement draw before the registry existed.
        var task = TaskArguments.Create("arithmetic", """{"max_operand": 9}""", seed: 3, heldOutSize: 4);

        Assert.Equal("4+6= 1+0= 8+4= 1+6=", Prompts(task.Train.Take(4)));
        Assert.Equal("6+8= 7+7= 8+7= 4+1=", Prompts(task.HeldOut));
        Assert.Equal("6+3= 6+9= 9+5= 5+5=", Prompts(task.Batch(0, 4)));
        Assert.Equal("6+5= 2+8= 0+7= 1+1=", Prompts(task.Batch(22, 4)));
        Assert.Equal("0+2= 2+0= 0+8= 5+2=", Prompts(task.Replacements(5, 1, 4)));
        Assert.NotEqual(Prompts(task.Replacements(5, 1, 4)), Prompts(task.Replacements(5, 2, 4)));
        Assert.IsType<ExactMatchReward>(task.AnswerReward);
        Assert.Equal(ArithmeticPromptTask.AnswerOnlyPattern, task.FormatPattern);
    }

    [Fact]
    public void Arithmetic_defaults_to_operands_up_to_99()
    {
        var task = TaskArguments.Create("arithmetic", "{}", heldOutSize: 200);
        Assert.Equal(9000, task.Train.Count);
        Assert.Equal(200, task.HeldOut.Count);
        Assert.Contains(task.Train.Concat(task.HeldOut), e => e.Prompt == "99+99=");
    }

    [Fact]
    public void A_dataset_task_keeps_the_split_and_order_of_runs_made_before_the_registry()
    {
        using var folder = new TempFolder();
        var path = folder.File("d.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, 12).Select(i => $$"""{"question": "q{{i}}", "answer": "{{i}}"}"""));

        var task = TaskArguments.Create("jsonl", $$"""{"path": {{TaskArguments.Quote(path)}}}""", seed: 5, heldOutSize: 3);

        Assert.Equal("q8 q6 q1", Prompts(task.HeldOut));
        Assert.Equal("q11 q4 q3 q0 q5 q2 q9 q10 q7", Prompts(task.Train));
        Assert.Equal("q0 q5 q2 q10", Prompts(task.Batch(2, 4)));
        // One epoch visits every training example once.
        Assert.Equal(9, Enumerable.Range(0, 3).SelectMany(step => task.Batch(step, 3)).Distinct().Count());
    }

    [Theory]
    [InlineData("jsonl", "", typeof(MathAnswerReward))]
    [InlineData("jsonl", ", \"answer_check\": \"exact\"", typeof(ExactMatchReward))]
    [InlineData("jsonl", ", \"answer_check\": \"numeric\"", typeof(NumericAnswerReward))]
    [InlineData("csv", ", \"answer_check\": \"exact\"", typeof(ExactMatchReward))]
    public void A_file_task_of_free_form_answers_checks_them_as_answer_check_says(string name, string parameters, Type answerReward)
    {
        using var folder = new TempFolder();
        var path = folder.File("d." + name);
        File.WriteAllLines(path, name == "csv"
            ? ["question,answer", .. Enumerable.Range(0, 4).Select(i => $"abc{i}=,cba{i}")]
            : Enumerable.Range(0, 4).Select(i => $$"""{"question": "abc{{i}}=", "answer": "cba{{i}}"}"""));

        var task = TaskArguments.Create(name, $$"""{"path": {{TaskArguments.Quote(path)}}{{parameters}}}""", heldOutSize: 1);

        Assert.IsType(answerReward, task.AnswerReward);
        var error = Assert.Throws<ComponentException>(() => TaskArguments.Create(name, $$"""{"path": {{TaskArguments.Quote(path)}}, "answer_check": "fuzzy"}"""));
        Assert.Equal("task.answer_check", error.Path);
    }

    [Theory]
    [InlineData("gsm8k", typeof(NumericAnswerReward), Gsm8kPromptTask.FinalAnswerPattern)]
    [InlineData("math", typeof(MathAnswerReward), MathPromptTask.BoxedPattern)]
    [InlineData("jsonl", typeof(MathAnswerReward), JsonlPromptTask.AnyMarkerPattern)]
    public void Each_dataset_task_brings_its_answer_check_and_format_pattern(string name, Type answerReward, string pattern)
    {
        using var folder = new TempFolder();
        var path = folder.File("d.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, 4).Select(i => $$"""{"q": "What is {{i}}+1?", "a": "\\boxed{{{i + 1}}} so\n#### {{i + 1}}", "level": "{{i}}"}"""));

        var task = TaskArguments.Create(name, $$"""{"path": {{TaskArguments.Quote(path)}}, "prompt_field": "q", "answer_field": "a"}""", heldOutSize: 1);

        Assert.IsType(answerReward, task.AnswerReward);
        Assert.Equal(pattern, task.FormatPattern);
        Assert.Equal(3, task.Train.Count);
        Assert.All(task.Train.Concat(task.HeldOut), e => Assert.Equal(e.Prompt[8..^3], e.Metadata["level"]));
    }

    [Theory]
    [InlineData("gsm8k", """{"question": "q", "answer": "no marker here"}""", "line 2: field 'answer' has no final answer line \"#### N\"")]
    [InlineData("gsm8k", """{"question": "q", "answer": "#### seven"}""", "line 2: field 'answer' has \"#### seven\", which is not a number")]
    [InlineData("math", """{"question": "q", "answer": "so \\boxed{\\frac{1}{2}"}""", "line 2: field 'answer' has a \\boxed{ without its closing brace")]
    [InlineData("jsonl", """{"question": "q"}""", "line 2: field 'answer' is missing")]
    [InlineData("jsonl", """{"question": "  ", "answer": "1"}""", "line 2: field 'question' is empty")]
    [InlineData("jsonl", """{"question": "q", "answer": 1""", "line 2: invalid JSON")]
    public void A_bad_line_is_named_by_file_line_and_field(string name, string badLine, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.jsonl");
        var good = """{"question": "q", "answer": "\\boxed{1} #### 1"}""";
        File.WriteAllLines(path, [good, badLine, good]);

        var error = Assert.Throws<ComponentException>(() => TaskArguments.Create(name, $$"""{"path": {{TaskArguments.Quote(path)}}}"""));

        Assert.Equal("task", error.Path);
        Assert.Contains($"{path}: {expected}", error.Message);
        Assert.IsType<InvalidDataException>(error.InnerException);
    }

    [Fact]
    public void A_held_out_size_that_leaves_nothing_to_train_on_is_refused_naming_the_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("small.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, 3).Select(i => $$"""{"question": "q{{i}}", "answer": "{{i}}"}"""));

        var error = Assert.Throws<ComponentException>(() => TaskArguments.Create("jsonl", $$"""{"path": {{TaskArguments.Quote(path)}}}""", heldOutSize: 3));
        Assert.Contains($"{path}: 3 examples, and held_out_size 3 would leave none for training", error.Message);
    }

    [Theory]
    [InlineData("jsonl", "{}", "task.path", "is required")]
    [InlineData("csv", """{"path": " "}""", "task.path", "is empty; name the data file")]
    [InlineData("jsonl", """{"path": "x.jsonl", "prompt_feild": "q"}""", "task.prompt_feild", "did you mean 'prompt_field'?")]
    [InlineData("arithmetic", """{"max_operand": -1}""", "task.max_operand", "must be at least 0, got -1")]
    [InlineData("arithmetic", """{"max_operan": 5}""", "task.max_operan", "did you mean 'max_operand'? (it takes max_operand)")]
    [InlineData("csv", """{"path": "x.csv", "prompt_column": ""}""", "task.prompt_column", "is empty")]
    public void Bad_parameters_are_named_by_their_key(string name, string json, string path, string problem)
    {
        var error = Assert.Throws<ComponentException>(() => TaskArguments.Create(name, json));
        Assert.Equal(path, error.Path);
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void An_unknown_task_is_refused_with_the_registered_names()
    {
        var error = Assert.Throws<ComponentException>(() => TaskArguments.Create("jsnol", "{}"));
        Assert.Equal("task", error.Path);
        Assert.Equal("'jsnol' is not a registered task; did you mean 'jsonl'? (known: arithmetic, csv, gsm8k, jsonl, math)", error.Problem);
    }

    [Fact]
    public void A_task_needs_the_runs_task_settings()
    {
        var error = Assert.Throws<MissingComponentServiceException>(() => TaskArguments.Registries.Tasks.Create("arithmetic", TaskArguments.Of("{}")));
        Assert.Contains("needs a TaskSettings ('settings')", error.Problem);
    }

    [Fact]
    public void Batches_refuse_a_negative_step_or_an_empty_batch()
    {
        var task = TaskArguments.Create("arithmetic", """{"max_operand": 3}""");
        Assert.Throws<ArgumentOutOfRangeException>(() => task.Batch(-1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => task.Batch(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskSettings(0, -1));
    }
}
