using Grpo.Core.Tokenization;

namespace Grpo.Core.Tests.Tokenization;

public sealed class NfcNormalizerTests
{
    /// <summary>Expected values from Python's unicodedata.normalize("NFC", ...).</summary>
    [Theory]
    [InlineData("E\u0301mile", "\u00c9mile")]
    [InlineData("e\u0301\u0323", "\u1eb9\u0301")]          // marks reordered by class, then the dot below composes
    [InlineData("e\u0323\u0301", "\u1eb9\u0301")]
    [InlineData("\u1100\u1161\u11a8", "\uac01")]           // Hangul L+V+T
    [InlineData("\u1100\u1161", "\uac00")]
    [InlineData("A\u030a\u0301", "\u01fa")]                // composes twice
    [InlineData("\u0958", "\u0915\u093c")]                 // composition exclusion stays decomposed
    [InlineData("\u2126", "\u03a9")]                       // singleton
    [InlineData("\u0f73", "\u0f71\u0f72")]                 // non-starter decomposition
    [InlineData("\ud834\udd5e", "\ud834\udd57\ud834\udd65")] // astral exclusion
    [InlineData("\u0b47\u0b3e", "\u0b4b")]                 // two starters compose
    [InlineData("a\u0328\u0301\u0304", "\u0105\u0301\u0304")]
    [InlineData("\u00c5\u0300", "\u00c5\u0300")]
    [InlineData("\u1e0b\u0323", "\u1e0d\u0307")]
    [InlineData("q\u0307\u0323", "q\u0323\u0307")]
    [InlineData("\u212b", "\u00c5")]
    [InlineData("\u0344", "\u0308\u0301")]
    [InlineData("\u1eb0\u0301", "\u1eb0\u0301")]           // blocked: second mark of the same class
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("数学 🚀", "数学 🚀")]
    public void MatchesReferenceNfc(string input, string expected) =>
        Assert.Equal(expected, NfcNormalizer.Instance.Normalize(input));
}
