using Grpo.Core.Tasks;
using Grpo.Core.Tests.Checkpoints;

namespace Grpo.Core.Tests.Tasks;

public sealed class DatasetTaskTests
{
    static string Gsm8kLine(int i) => $$"""{"question": "What is {{i}} + 1?", "answer": "{{i}} plus one is {{i + 1}}.\n#### {{i + 1}}"}""";

    [Fact]
    public void A_gsm8k_file_splits_into_held_out_and_training_examples_with_batches_fixed_by_seed_and_step()
    {
        using var folder = new TempFolder();
        var path = folder.File("train.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, 20).Select(Gsm8kLine));

        var task = DatasetTask.Load(path, "question", "answer", AnswerStyle.Gsm8k, heldOutSize: 5, seed: 1);
        var again = DatasetTask.Load(path, "question", "answer", AnswerStyle.Gsm8k, heldOutSize: 5, seed: 1);

        Assert.Equal(5, task.HeldOut.Count);
        Assert.Equal(15, task.Train.Count);
        Assert.Empty(task.HeldOut.Intersect(task.Train));
        Assert.Equal(task.Batch(3, 4), again.Batch(3, 4));
        Assert.NotEqual(task.Batch(3, 4), task.Batch(4, 4));
        // One epoch visits every training example once.
        Assert.Equal(15, Enumerable.Range(0, 5).SelectMany(step => task.Batch(step, 3)).Distinct().Count());
    }

    [Theory]
    [InlineData(AnswerStyle.Gsm8k, """{"question": "q", "answer": "no marker here"}""", "line 2: field 'answer' has no final answer line \"#### N\"")]
    [InlineData(AnswerStyle.Gsm8k, """{"question": "q", "answer": "#### seven"}""", "line 2: field 'answer' has \"#### seven\", which is not a number")]
    [InlineData(AnswerStyle.Boxed, """{"question": "q", "answer": "so \\boxed{\\frac{1}{2}"}""", "line 2: field 'answer' has a \\boxed{ without its closing brace")]
    [InlineData(AnswerStyle.Any, """{"question": "q"}""", "line 2: field 'answer' is missing")]
    [InlineData(AnswerStyle.Any, """{"question": "  ", "answer": "1"}""", "line 2: field 'question' is empty")]
    [InlineData(AnswerStyle.Any, """{"question": "q", "answer": 1""", "line 2: invalid JSON")]
    public void A_bad_line_is_named_by_file_line_and_field(AnswerStyle style, string badLine, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.jsonl");
        File.WriteAllLines(path, [Gsm8kLine(0), badLine, Gsm8kLine(2)]);

        var error = Assert.Throws<InvalidDataException>(() => DatasetTask.Load(path, "question", "answer", style, 0, 0));

        Assert.StartsWith(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_held_out_size_that_leaves_nothing_to_train_on_is_refused()
    {
        using var folder = new TempFolder();
        var path = folder.File("small.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, 3).Select(Gsm8kLine));

        var error = Assert.Throws<InvalidDataException>(() => DatasetTask.Load(path, "question", "answer", AnswerStyle.Gsm8k, 3, 0));
        Assert.Contains("held_out_size 3", error.Message);
    }
}
