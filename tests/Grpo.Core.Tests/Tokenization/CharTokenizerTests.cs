using Grpo.Core.Tokenization;
using Microsoft.ML.Tokenizers;

namespace Grpo.Core.Tests.Tokenization;

public sealed class CharTokenizerTests
{
    [Fact]
    public void ArithmeticAlphabetIdsFollowTheSpecials()
    {
        var tokenizer = CharTokenizer.ForArithmetic();

        Assert.Equal((0, 1, 2), (tokenizer.PadId, tokenizer.BosId, tokenizer.EosId));
        Assert.Equal(3 + 15, tokenizer.VocabSize);
        // '3' is alphabet index 3 → id 6; '+' index 10 → 13; '=' index 13 → 16; ' ' index 14 → 17.
        Assert.Equal([6, 13, 7, 16], tokenizer.EncodeToIds("3+4="));
        Assert.Equal(17, tokenizer.EncodeToIds(" ").Single());
    }

    [Theory]
    [InlineData("37+48=85")]
    [InlineData("12 * 3 - 4 = 32")]
    [InlineData("")]
    public void RoundTripsThroughTheTokenizerBaseApi(string text)
    {
        Tokenizer tokenizer = CharTokenizer.ForArithmetic();

        var ids = tokenizer.EncodeToIds(text);

        Assert.Equal(text.Length, ids.Count);
        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.Equal(text.Length, tokenizer.CountTokens(text));
        Assert.Equal(text.Select(c => c.ToString()), tokenizer.EncodeToTokens(text, out _).Select(t => t.Value));
    }

    [Fact]
    public void DecodeShowsOrSkipsSpecials()
    {
        var tokenizer = CharTokenizer.ForArithmetic();
        int[] ids = [tokenizer.BosId, .. tokenizer.EncodeToIds("1+1=2"), tokenizer.EosId, tokenizer.PadId];

        Assert.Equal("<bos>1+1=2<eos><pad>", tokenizer.Decode(ids));
        Assert.Equal("1+1=2", tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void UnknownCharacterNamesCharacterAndIndex()
    {
        var error = Assert.Throws<ArgumentException>(() => CharTokenizer.ForArithmetic().EncodeToIds("12+x"));

        Assert.Contains("'x'", error.Message);
        Assert.Contains("index 3", error.Message);
    }

    [Fact]
    public void InvalidIdsAndAlphabetsAreRejected()
    {
        var tokenizer = CharTokenizer.ForArithmetic();
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([18]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([-1]));
        var repeated = Assert.Throws<ArgumentException>(() => new CharTokenizer("abca"));
        Assert.Contains("index 3", repeated.Message);
        Assert.ThrowsAny<ArgumentException>(() => new CharTokenizer(""));
    }

    [Fact]
    public void TokenIdLooksUpSpecialsAndCharacters()
    {
        var tokenizer = CharTokenizer.ForArithmetic();

        Assert.Equal(2, HfTokenizer.TokenId(tokenizer, "<eos>"));
        Assert.Equal(3, HfTokenizer.TokenId(tokenizer, "0"));
        Assert.Null(HfTokenizer.TokenId(tokenizer, "x"));
    }

    [Fact]
    public void SpanDecodeReportsTooSmallDestination()
    {
        var tokenizer = CharTokenizer.ForArithmetic();
        var buffer = new char[3];

        var status = tokenizer.Decode(tokenizer.EncodeToIds("12345"), buffer, out var consumed, out var written);

        Assert.Equal(System.Buffers.OperationStatus.DestinationTooSmall, status);
        Assert.Equal((3, 3), (consumed, written));
        Assert.Equal("123", new string(buffer));
    }
}
