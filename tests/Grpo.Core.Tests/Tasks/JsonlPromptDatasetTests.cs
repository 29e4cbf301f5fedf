using Grpo.Core.Tasks;

namespace Grpo.Core.Tests.Tasks;

public sealed class JsonlPromptDatasetTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "grpo-jsonl-" + Guid.NewGuid().ToString("N"));

    public JsonlPromptDatasetTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void LoadsPromptsAnswersSkippingBlankLines()
    {
        var path = Write("gsm8k.jsonl",
            "{\"question\": \"How many clips?\", \"answer\": \"48/2 = 24\\n#### 72\"}\n" +
            "\n   \n" +
            "{\"question\": \"2+2?\", \"answer\": 4, \"extra\": true}\n" +
            "{\"question\": \"Half?\", \"answer\": 0.5}\n");

        var examples = JsonlPromptDataset.Load(path);

        Assert.Equal(
            [
                new TaskExample("How many clips?", "48/2 = 24\n#### 72"),
                new TaskExample("2+2?", "4") { Metadata = new Dictionary<string, string> { ["extra"] = "true" } },
                new TaskExample("Half?", "0.5"),
            ],
            examples);
    }

    [Fact]
    public void OtherFieldsBecomeMetadataStringsAsTextOtherValuesAsJson()
    {
        var path = Write("meta.jsonl", "{\"id\": \"a7\", \"question\": \"q\", \"answer\": \"1\", \"tests\": [\"x\", 2], \"level\": 3, \"note\": null}\n");

        var example = Assert.Single(JsonlPromptDataset.Load(path));

        Assert.Equal(new Dictionary<string, string> { ["id"] = "a7", ["tests"] = "[\"x\", 2]", ["level"] = "3", ["note"] = "null" }, example.Metadata);
        Assert.Equal(example.Metadata, example.RewardInputFor("c").Metadata);
        Assert.NotEqual(example, example with { Metadata = new Dictionary<string, string> { ["id"] = "a8" } });
    }

    [Fact]
    public void AFieldGivenTwiceIsNamed()
    {
        var path = Write("twice.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"id\": 1, \"id\": 2}\n");

        var error = Assert.Throws<InvalidDataException>(() => JsonlPromptDataset.Load(path));
        Assert.Equal($"{path}: line 1: field 'id' appears twice.", error.Message);
    }

    [Fact]
    public void UsesCustomFieldNames()
    {
        var path = Write("custom.jsonl", "{\"prompt\": \"1+1=\", \"target\": \"2\"}");

        Assert.Equal([new TaskExample("1+1=", "2")], JsonlPromptDataset.Load(path, "prompt", "target"));
    }

    [Fact]
    public void MissingFileNamesTheFile()
    {
        var path = Path.Combine(_directory, "absent.jsonl");

        var error = Assert.Throws<InvalidDataException>(() => JsonlPromptDataset.Load(path));
        Assert.Contains("absent.jsonl", error.Message);
    }

    [Theory]
    [InlineData("{\"question\": \"a\", \"answer\": \"1\"}\n{\"question\": \"b\", \"answer\": \"2\"\n", "line 2", "invalid JSON")]
    [InlineData("{\"question\": \"a\", \"answer\": \"1\"}\n\n{\"answer\": \"2\"}\n", "line 3", "'question'")]
    [InlineData("{\"question\": \"a\"}\n", "line 1", "'answer'")]
    [InlineData("{\"question\": 5, \"answer\": \"1\"}\n", "line 1", "'question'")]
    [InlineData("{\"question\": \"a\", \"answer\": [1]}\n", "line 1", "'answer'")]
    [InlineData("{\"question\": \"a\", \"answer\": null}\n", "line 1", "'answer'")]
    [InlineData("[1, 2]\n", "line 1", "'question'")]
    public void BadLinesNameFileLineAndField(string content, string expectedLine, string expectedDetail)
    {
        var path = Write("bad.jsonl", content);

        var error = Assert.Throws<InvalidDataException>(() => JsonlPromptDataset.Load(path));
        Assert.Contains("bad.jsonl", error.Message);
        Assert.Contains(expectedLine + ":", error.Message);
        Assert.Contains(expectedDetail, error.Message);
    }

    [Fact]
    public void EmptyFileIsAnError()
    {
        var path = Write("empty.jsonl", "\n  \n");

        var error = Assert.Throws<InvalidDataException>(() => JsonlPromptDataset.Load(path));
        Assert.Contains("empty.jsonl", error.Message);
        Assert.Contains("empty", error.Message);
    }
}
