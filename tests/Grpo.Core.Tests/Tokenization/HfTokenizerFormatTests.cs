using System.Text.Json;
using Grpo.Core.Tokenization;

namespace Grpo.Core.Tests.Tokenization;

/// <summary>Loader behaviour on small hand-written tokenizer.json files.</summary>
public sealed class HfTokenizerFormatTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "grpo-tok-" + Guid.NewGuid().ToString("N"));

    public HfTokenizerFormatTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>All 256 byte tokens at id = byte value (their spelling's code point equals the byte for printable ASCII), then merged tokens.</summary>
    private static Dictionary<string, int> TinyVocabulary()
    {
        var vocab = new Dictionary<string, int>();
        for (var b = 0; b < 256; b++)
        {
            vocab[ByteLevelAlphabet.ByteToChar((byte)b).ToString()] = b;
        }
        vocab["ab"] = 256;
        vocab["bc"] = 257;
        vocab["abc"] = 258;
        vocab["Ġa"] = 259;
        return vocab;
    }

    private void WriteTokenizer(object merges, object? preTokenizer = null, object? normalizer = null, string modelType = "BPE", object? addedTokens = null)
    {
        var json = new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["added_tokens"] = addedTokens ?? new object[] { new { id = 300, content = "<|end|>", special = true } },
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] = preTokenizer ?? new { type = "ByteLevel", add_prefix_space = false, use_regex = true },
            ["decoder"] = new { type = "ByteLevel" },
            ["model"] = new { type = modelType, vocab = TinyVocabulary(), merges },
        };
        File.WriteAllText(Path.Combine(_directory, "tokenizer.json"), JsonSerializer.Serialize(json));
    }

    [Fact]
    public void PairAndStringMergeFormatsGiveTheSameTokenizer()
    {
        WriteTokenizer(new[] { new[] { "a", "b" }, new[] { "ab", "c" }, new[] { "Ġ", "a" } });
        var pairs = HfTokenizer.Load(_directory);
        WriteTokenizer(new[] { "a b", "ab c", "Ġ a" });
        var strings = HfTokenizer.Load(_directory);

        // "abc" → ab + c → abc; " abx" → Ġ a b x → Ġ ab x (rank 0 beats "Ġ a" at rank 2, then no rule joins Ġ+ab).
        int[] expected = [258, ' ', 256, 'x'];
        Assert.Equal(expected, pairs.EncodeToIds("abc abx"));
        Assert.Equal(expected, strings.EncodeToIds("abc abx"));
        Assert.Equal("abc abx", pairs.Decode(expected));
        Assert.Equal(["abc", "Ġ", "ab", "x"], pairs.EncodeToTokens("abc abx", out _).Select(t => t.Value));
    }

    [Fact]
    public void LowerRankMergesApplyFirst()
    {
        WriteTokenizer(new[] { "b c", "a b", "ab c" });

        // b+c (rank 0) is taken first, after which "a bc" has no rule, so ab/abc never form.
        Assert.Equal([(int)'a', 257], HfTokenizer.Load(_directory).EncodeToIds("abc"));
    }

    [Fact]
    public void AddedTokensAreMatchedBeforeBpeAndNeverSplit()
    {
        WriteTokenizer(new[] { "a b" });
        var tokenizer = HfTokenizer.LoadByteLevelBpe(_directory);

        Assert.Equal([256, 300, 256], tokenizer.EncodeToIds("ab<|end|>ab"));
        Assert.Equal("abab", tokenizer.Decode([256, 300, 256], skipSpecialTokens: true));
        Assert.Equal(300, HfTokenizer.TokenId(tokenizer, "<|end|>"));
    }

    [Fact]
    public void SplitPreTokenizerFromJsonIsUsed()
    {
        // Splitting every character apart forbids all merges.
        WriteTokenizer(new[] { "a b" }, preTokenizer: new
        {
            type = "Sequence",
            pretokenizers = new object[]
            {
                new { type = "Split", pattern = new { Regex = "." }, behavior = "Isolated", invert = false },
                new { type = "ByteLevel", add_prefix_space = false, use_regex = false },
            },
        });

        Assert.Equal([(int)'a', 'b'], HfTokenizer.Load(_directory).EncodeToIds("ab"));
    }

    [Fact]
    public void MissingDirectoryFileNamesIt()
    {
        var error = Assert.Throws<InvalidDataException>(() => HfTokenizer.Load(Path.Combine(_directory, "nowhere")));
        Assert.Contains("tokenizer.json", error.Message);
    }

    [Fact]
    public void MalformedJsonNamesFileAndLine()
    {
        File.WriteAllText(Path.Combine(_directory, "tokenizer.json"), "{\n  \"model\": {\n    \"vocab\": ,\n  }\n}");

        var error = Assert.Throws<InvalidDataException>(() => HfTokenizer.Load(_directory));
        Assert.Contains("tokenizer.json", error.Message);
        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public void MalformedConfigNamesIt()
    {
        WriteTokenizer(new[] { "a b" });
        File.WriteAllText(Path.Combine(_directory, "tokenizer_config.json"), "{\"eos_token\": 5}");

        var error = Assert.Throws<InvalidDataException>(() => HfTokenizer.Load(_directory));
        Assert.Contains("tokenizer_config.json", error.Message);
        Assert.Contains("eos_token", error.Message);
    }

    [Fact]
    public void UnsupportedModelTypeNamesTheField()
    {
        WriteTokenizer(new[] { "a b" }, modelType: "Unigram");

        var error = Assert.Throws<InvalidDataException>(() => HfTokenizer.Load(_directory));
        Assert.Contains("model.type", error.Message);
        Assert.Contains("Unigram", error.Message);
    }

    [Theory]
    [InlineData("ab", "model.merges[0]")]
    [InlineData("a b c", "model.merges[0]")]
    [InlineData("a z", "Merge #0 'a z'")] // "az" is not in the vocabulary, so the rule cannot produce a token
    public void BadMergesNameTheEntry(string merge, string expected)
    {
        WriteTokenizer(new[] { merge });

        var error = Assert.Throws<InvalidDataException>(() => HfTokenizer.Load(_directory));
        Assert.Contains("tokenizer.json", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void UnsupportedNormalizerAndPreTokenizerAreRefused()
    {
        WriteTokenizer(new[] { "a b" }, normalizer: new { type = "Lowercase" });
        Assert.Contains("normalizer.type", Assert.Throws<InvalidDataException>(() => HfTokenizer.Load(_directory)).Message);

        WriteTokenizer(new[] { "a b" }, preTokenizer: new { type = "Whitespace" });
        Assert.Contains("pre_tokenizer.type", Assert.Throws<InvalidDataException>(() => HfTokenizer.Load(_directory)).Message);
    }
}
