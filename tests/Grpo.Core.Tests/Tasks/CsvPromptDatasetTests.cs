using Grpo.Core.Registries;
using Grpo.Core.Tasks;
using Grpo.Core.Tests.Checkpoints;

namespace Grpo.Core.Tests.Tasks;

/// <summary>CSV data: RFC 4180 quoting, extra columns as metadata, and errors naming file, line and column.</summary>
public sealed class CsvPromptDatasetTests : IDisposable
{
    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    string Write(string content, string name = "data.csv")
    {
        var path = folder.File(name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Quoted_fields_hold_commas_line_breaks_and_doubled_quotes()
    {
        var path = Write(
            "question,answer,source\r\n" +
            "\"Add 2, then 3\",5,book\r\n" +
            "\"Say \"\"hi\"\"\nthen stop\",\"#### 1\",\r\n" +
            "plain,7,\"web, page\"");

        var examples = CsvPromptDataset.Load(path);

        Assert.Equal(
        [
            new TaskExample("Add 2, then 3", "5") { Metadata = new Dictionary<string, string> { ["source"] = "book" } },
            new TaskExample("Say \"hi\"\nthen stop", "#### 1") { Metadata = new Dictionary<string, string> { ["source"] = "" } },
            new TaskExample("plain", "7") { Metadata = new Dictionary<string, string> { ["source"] = "web, page" } },
        ], examples);
    }

    [Fact]
    public void Columns_are_chosen_by_name_in_any_order_and_blank_lines_are_skipped()
    {
        var path = Write("id, answer ,prompt\n\n1,2,1+1=\n   \n2,4,2+2=\n");

        var examples = CsvPromptDataset.Load(path, "prompt", "answer");

        Assert.Equal(["1+1=", "2+2="], examples.Select(e => e.Prompt));
        Assert.Equal(["2", "4"], examples.Select(e => e.Answer));
        Assert.Equal(["1", "2"], examples.Select(e => e.Metadata["id"]));
    }

    [Theory]
    [InlineData("question,answer\nq,1\n\"open,2\n", "line 3: field 1 opens a quote that is never closed")]
    [InlineData("question,answer\nq,1\nsay \"hi\",2\n", "line 3: field 1 has a quote but does not start with one")]
    [InlineData("question,answer\n\"q\"x,1\n", "line 2: field 1 has text after its closing quote")]
    [InlineData("question,answer\n\"two\nlines\",1\nq,1,extra\n", "line 4: 3 fields, but the header (line 1) names 2 columns")]
    [InlineData("question,answer\nq\n", "line 2: 1 field, but the header (line 1) names 2 columns")]
    [InlineData("question,answr\nq,1\n", "line 1: the header has no column 'answer'; did you mean 'answr'? (columns: question, answr)")]
    [InlineData("question,answer,question\nq,1,q\n", "line 1: column 'question' is named twice (columns 1 and 3)")]
    [InlineData("question,,answer\nq,x,1\n", "line 1: column 2 of the header has no name")]
    [InlineData("question,answer\n ,1\n", "line 2: column 'question' is empty")]
    [InlineData("question,answer\nq,1\nr,  \n", "line 3: column 'answer' is empty")]
    [InlineData("", "the file is empty; its first line must name the columns")]
    [InlineData("question,answer\n", "the file has a header but no rows")]
    public void A_bad_file_is_named_by_file_line_and_column(string content, string expected)
    {
        var path = Write(content, "bad.csv");

        var error = Assert.Throws<InvalidDataException>(() => CsvPromptDataset.Load(path, answerProblem: AnswerStyleCheck.For(AnswerStyle.Any)));

        Assert.StartsWith($"{path}: {expected}", error.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var error = Assert.Throws<InvalidDataException>(() => CsvPromptDataset.Load(folder.File("absent.csv")));
        Assert.Contains("absent.csv", error.Message);
    }

    [Fact]
    public async Task The_csv_task_reads_its_columns_and_checks_answers_like_jsonl()
    {
        var path = Write("prompt,target,difficulty\n" + string.Concat(Enumerable.Range(0, 6).Select(i => $"What is {i}+{i}?,{2 * i},{(i < 3 ? "easy" : "hard")}\n")));

        var task = TaskArguments.Create("csv", $$"""{"path": {{TaskArguments.Quote(path)}}, "prompt_column": "prompt", "answer_column": "target"}""", seed: 2, heldOutSize: 2);

        Assert.Equal(4, task.Train.Count);
        Assert.Equal(2, task.HeldOut.Count);
        Assert.All(task.Train.Concat(task.HeldOut), e => Assert.Equal(e.Answer is "0" or "2" or "4" ? "easy" : "hard", e.Metadata["difficulty"]));
        Assert.Equal(JsonlPromptTask.AnyMarkerPattern, task.FormatPattern);
        var example = task.Train[0];
        Assert.True(await task.IsCorrectAsync(example, $"The answer is {example.Answer}"));
        Assert.False(await task.IsCorrectAsync(example, "The answer is 99"));
    }

    [Fact]
    public void A_bad_row_of_the_csv_task_is_reported_with_the_task_key()
    {
        var path = Write("question,answer\nq,1\nq2,\n");
        var error = Assert.Throws<ComponentException>(() => TaskArguments.Create("csv", $$"""{"path": {{TaskArguments.Quote(path)}}}"""));
        Assert.Equal("task", error.Path);
        Assert.Contains($"{path}: line 3: column 'answer' is empty", error.Message);
    }
}
