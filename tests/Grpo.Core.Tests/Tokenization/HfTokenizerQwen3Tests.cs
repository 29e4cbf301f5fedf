using System.Text.Json;
using Grpo.Core.Tokenization;
using Microsoft.ML.Tokenizers;

namespace Grpo.Core.Tests.Tokenization;

[Collection(Qwen3TokenizerCollection.Name)]
public sealed class HfTokenizerQwen3Tests(Qwen3TokenizerFixture fixture)
{
    public static TheoryData<int> ReferenceLines()
    {
        var data = new TheoryData<int>();
        var count = File.ReadAllLines(Path.Combine(Qwen3TokenizerFixture.FixtureDirectory, "reference-encodings.jsonl"))
            .Count(line => line.Trim().Length > 0);
        for (var i = 0; i < count; i++)
        {
            data.Add(i);
        }
        return data;
    }

    internal static (string Text, int[] Ids) ReferenceLine(int index)
    {
        var line = File.ReadAllLines(Path.Combine(Qwen3TokenizerFixture.FixtureDirectory, "reference-encodings.jsonl"))
            .Where(l => l.Trim().Length > 0).ElementAt(index);
        using var document = JsonDocument.Parse(line);
        var text = document.RootElement.GetProperty("text").GetString()!;
        var ids = document.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return (text, ids);
    }

    [Theory]
    [MemberData(nameof(ReferenceLines))]
    public void EncodesReferenceLineExactly(int index)
    {
        var (text, expected) = ReferenceLine(index);

        var ids = fixture.Tokenizer.EncodeToIds(text);

        Assert.Equal(expected, ids);
    }

    [Theory]
    [MemberData(nameof(ReferenceLines))]
    public void DecodesReferenceIdsBackToText(int index)
    {
        var (text, ids) = ReferenceLine(index);

        Assert.Equal(text, fixture.Tokenizer.Decode(ids));
    }

    [Theory]
    [MemberData(nameof(ReferenceLines))]
    public void TokensAgreeWithIdsAndCount(int index)
    {
        var (text, expected) = ReferenceLine(index);
        Tokenizer tokenizer = fixture.Tokenizer;

        var tokens = tokenizer.EncodeToTokens(text, out _);

        Assert.Equal(expected, tokens.Select(t => t.Id));
        Assert.Equal(expected.Length, tokenizer.CountTokens(text));
        Assert.All(tokens, t => Assert.InRange(t.Offset.End.Value, t.Offset.Start.Value, text.Length));
    }

    [Fact]
    public void LoadsQuicklyAndReportsSizes()
    {
        Assert.True(fixture.LoadTime < TimeSpan.FromSeconds(5), $"Loading took {fixture.LoadTime}.");
        Assert.Equal(151669, fixture.Tokenizer.VocabSize);
    }

    [Fact]
    public void LoadReturnsAMicrosoftTokenizer()
    {
        Tokenizer tokenizer = HfTokenizer.Load(fixture.Directory);

        Assert.IsType<ByteLevelBpeTokenizer>(tokenizer);
        Assert.Equal([9707, 11, 847, 5562, 374, 18838], tokenizer.EncodeToIds("Hello, my dog is cute"));
    }

    [Fact]
    public void SpecialTokenIdsComeFromTheFiles()
    {
        var tokenizer = fixture.Tokenizer;

        Assert.Equal(151644, HfTokenizer.TokenId(tokenizer, "<|im_start|>"));
        Assert.Equal(151645, HfTokenizer.TokenId(tokenizer, "<|im_end|>"));
        Assert.Equal(151667, HfTokenizer.TokenId(tokenizer, "<think>"));
        Assert.Null(HfTokenizer.TokenId(tokenizer, "<|no_such_token|>"));
        Assert.Equal(151645, tokenizer.EosTokenId);
        Assert.Equal(151643, tokenizer.PadTokenId);
        Assert.Null(tokenizer.BosTokenId);
        Assert.True(tokenizer.IsSpecial(151645));
        Assert.False(tokenizer.IsSpecial(151667));
    }

    [Fact]
    public void SpecialTokensAreNeverSplitEvenInsideWords()
    {
        var ids = fixture.Tokenizer.EncodeToIds("abc<|im_end|>def<|im_start|><|im_start|>");

        Assert.Single(ids, id => id == 151645);
        Assert.Equal(2, ids.Count(id => id == 151644));
        Assert.Equal(fixture.Tokenizer.EncodeToIds("abc").Concat([151645]).Concat(fixture.Tokenizer.EncodeToIds("def")).Concat([151644, 151644]), ids);
    }

    [Fact]
    public void DecodeCanSkipSpecialTokensButKeepsNonSpecialAddedTokens()
    {
        var ids = fixture.Tokenizer.EncodeToIds("<|im_start|>user\n<think>hi</think><|im_end|>");

        Assert.Equal("user\n<think>hi</think>", fixture.Tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<|im_start|>user\n<think>hi</think><|im_end|>", fixture.Tokenizer.Decode(ids));
    }

    [Fact]
    public void NormalisesToNfcBeforeEncoding()
    {
        const string decomposed = "E\u0301mile";
        const string composed = "\u00C9mile";

        var ids = fixture.Tokenizer.EncodeToTokens(decomposed, out var normalized).Select(t => t.Id).ToArray();

        Assert.Equal(fixture.Tokenizer.EncodeToIds(composed), ids);
        Assert.Equal(composed, normalized);
        Assert.Equal(composed, fixture.Tokenizer.Decode(ids));
    }

    [Fact]
    public void MaxTokenCountStopsAtWordBoundary()
    {
        const string text = "Hello, my dog is cute";

        var ids = fixture.Tokenizer.EncodeToIds(text, maxTokenCount: 3, out _, out var consumed);

        Assert.Equal([9707, 11, 847], ids);
        Assert.Equal("Hello, my".Length, consumed);
    }

    [Fact]
    public void SplitMultiByteCharacterDecodesToReplacementCharacter()
    {
        // " 🚀" is spelled by the byte-level tokens 11162 (space + first byte), 248, 222 in the reference;
        // the first alone ends in an incomplete UTF-8 sequence.
        Assert.Equal(" \uFFFD", fixture.Tokenizer.Decode([11162]));
        Assert.Equal(" 🚀", fixture.Tokenizer.Decode([11162, 248, 222]));
    }

    [Fact]
    public void DecodeRejectsUnknownId()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Tokenizer.Decode([5, 999_999]));

        Assert.Contains("999999", error.Message);
    }
}
