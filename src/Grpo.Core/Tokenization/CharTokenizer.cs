using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Grpo.Core.Tokenization;

/// <summary>
/// One token per character of a fixed alphabet, after three specials: &lt;pad&gt; = 0, &lt;bos&gt; = 1, &lt;eos&gt; = 2.
/// Meant for the built-in arithmetic task, where a tiny vocabulary keeps the model small.
/// Special tokens are never produced by encoding text; callers add <see cref="BosId"/>/<see cref="EosId"/> themselves.
/// </summary>
public sealed class CharTokenizer : Tokenizer
{
    public const string PadToken = "<pad>";
    public const string BosToken = "<bos>";
    public const string EosToken = "<eos>";
    public const string ArithmeticAlphabet = "0123456789+-*= ";

    private const int SpecialCount = 3;
    private readonly string _alphabet;
    private readonly Dictionary<char, int> _charToId = [];

    public CharTokenizer(string alphabet)
    {
        ArgumentException.ThrowIfNullOrEmpty(alphabet);
        for (var i = 0; i < alphabet.Length; i++)
        {
            if (char.IsSurrogate(alphabet[i]))
            {
                throw new ArgumentException($"Alphabet character at index {i} is a UTF-16 surrogate; only single-char symbols are supported.", nameof(alphabet));
            }
            if (!_charToId.TryAdd(alphabet[i], SpecialCount + i))
            {
                throw new ArgumentException($"Alphabet repeats character '{alphabet[i]}' at index {i}.", nameof(alphabet));
            }
        }
        _alphabet = alphabet;
    }

    /// <summary>Digits, '+', '-', '*', '=' and space.</summary>
    public static CharTokenizer ForArithmetic() => new(ArithmeticAlphabet);

    public int PadId => 0;

    public int BosId => 1;

    public int EosId => 2;

    public int VocabSize => SpecialCount + _alphabet.Length;

    public string Alphabet => _alphabet;

    public bool IsSpecial(int id) => id is >= 0 and < SpecialCount;

    /// <summary>Id of a special token name or of a one-character token; null when unknown.</summary>
    public int? TokenToId(string token) => token switch
    {
        PadToken => PadId,
        BosToken => BosId,
        EosToken => EosId,
        { Length: 1 } when _charToId.TryGetValue(token[0], out var id) => id,
        _ => null,
    };

    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        var count = Math.Min(span.Length, settings.MaxTokenCount);
        var tokens = new List<EncodedToken>(count);
        for (var i = 0; i < count; i++)
        {
            tokens.Add(new EncodedToken(IdOf(span, i), span[i].ToString(), new Range(i, i + 1)));
        }
        return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = null, CharsConsumed = count };
    }

    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        var count = Math.Min(span.Length, settings.MaxTokenCount);
        var ids = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            ids.Add(IdOf(span, i));
        }
        return new EncodeResults<int> { Tokens = ids, NormalizedText = null, CharsConsumed = count };
    }

    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings) =>
        EncodeToIds(text, textSpan, settings).Tokens.Count;

    public override string Decode(IEnumerable<int> ids) => Decode(ids, skipSpecialTokens: false);

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var builder = new StringBuilder();
        foreach (var id in ids)
        {
            if (!skipSpecialTokens || !IsSpecial(id))
            {
                builder.Append(TokenText(id));
            }
        }
        return builder.ToString();
    }

    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        idsConsumed = 0;
        charsWritten = 0;
        foreach (var id in ids)
        {
            var piece = TokenText(id);
            if (charsWritten + piece.Length > destination.Length)
            {
                return OperationStatus.DestinationTooSmall;
            }
            piece.AsSpan().CopyTo(destination[charsWritten..]);
            charsWritten += piece.Length;
            idsConsumed++;
        }
        return OperationStatus.Done;
    }

    private int IdOf(ReadOnlySpan<char> text, int index) =>
        _charToId.TryGetValue(text[index], out var id)
            ? id
            : throw new ArgumentException($"Character '{text[index]}' (U+{(int)text[index]:X4}) at index {index} is not in the tokenizer alphabet \"{_alphabet}\".", "text");

    private string TokenText(int id) => id switch
    {
        0 => PadToken,
        1 => BosToken,
        2 => EosToken,
        _ when id >= SpecialCount && id < VocabSize => _alphabet[id - SpecialCount].ToString(),
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is outside the vocabulary (size {VocabSize})."),
    };
}
