using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Grpo.Core.Tokenization;

/// <summary>
/// Byte-level BPE as used by GPT-2, Qwen2/Qwen3 and Llama-3: added tokens are split out of the raw text first,
/// the remaining segments are NFC-normalised (optionally), split by the pre-tokenizer regex, spelled as UTF-8 bytes
/// in the <see cref="ByteLevelAlphabet"/>, and merged by merge rank.
/// </summary>
public sealed class ByteLevelBpeTokenizer : Tokenizer
{
    private const int MaxCachedWords = 200_000;

    private readonly Dictionary<string, int> _tokenToId;
    private readonly string?[] _idToToken;
    private readonly byte[]?[] _idToBytes;
    private readonly int[] _byteToId = new int[256];
    private readonly Dictionary<long, (int Rank, int MergedId)> _merges;
    private readonly Regex? _preTokenizer;
    private readonly Regex? _addedTokenMatcher;
    private readonly Dictionary<string, AddedToken> _addedTokens;
    private readonly HashSet<int> _specialIds;
    private readonly bool _normalizeNfc;
    private readonly bool _ignoreMerges;
    private readonly ConcurrentDictionary<string, int[]> _wordCache = new(StringComparer.Ordinal);

    /// <param name="vocabulary">Token (in byte-level spelling) → id.</param>
    /// <param name="merges">Merge rules in priority order (index = rank).</param>
    /// <param name="preTokenizerPattern">Regex whose matches are the words BPE runs on; null means the whole segment is one word.</param>
    /// <param name="normalizeNfc">Apply Unicode NFC to text outside added tokens.</param>
    /// <param name="addedTokens">Tokens matched verbatim before anything else and never split.</param>
    /// <param name="ignoreMerges">Llama-3 style: a word that is itself in the vocabulary is emitted without merging.</param>
    public ByteLevelBpeTokenizer(
        IReadOnlyDictionary<string, int> vocabulary,
        IReadOnlyList<(string Left, string Right)> merges,
        string? preTokenizerPattern,
        bool normalizeNfc,
        IReadOnlyList<AddedToken> addedTokens,
        bool ignoreMerges = false)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(merges);
        ArgumentNullException.ThrowIfNull(addedTokens);

        _tokenToId = new Dictionary<string, int>(vocabulary.Count + addedTokens.Count, StringComparer.Ordinal);
        var maxId = -1;
        foreach (var (token, id) in vocabulary)
        {
            if (id < 0)
            {
                throw new ArgumentException($"Vocabulary token '{token}' has negative id {id}.", nameof(vocabulary));
            }
            _tokenToId[token] = id;
            maxId = Math.Max(maxId, id);
        }
        foreach (var added in addedTokens)
        {
            if (added.Id < 0 || string.IsNullOrEmpty(added.Content))
            {
                throw new ArgumentException($"Added token '{added.Content}' (id {added.Id}) needs non-empty content and a non-negative id.", nameof(addedTokens));
            }
            maxId = Math.Max(maxId, added.Id);
        }

        _idToToken = new string?[maxId + 1];
        _idToBytes = new byte[]?[maxId + 1];
        foreach (var (token, id) in _tokenToId)
        {
            _idToToken[id] = token;
            _idToBytes[id] = SpellingToBytes(token);
        }

        _addedTokens = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        _specialIds = [];
        foreach (var added in addedTokens)
        {
            _addedTokens[added.Content] = added;
            _tokenToId[added.Content] = added.Id;
            _idToToken[added.Id] = added.Content;
            // Added tokens decode to their literal content, not through the byte alphabet.
            _idToBytes[added.Id] = Encoding.UTF8.GetBytes(added.Content);
            if (added.Special)
            {
                _specialIds.Add(added.Id);
            }
        }

        for (var b = 0; b < 256; b++)
        {
            var spelling = ByteLevelAlphabet.ByteToChar((byte)b).ToString();
            if (!vocabulary.TryGetValue(spelling, out _byteToId[b]))
            {
                throw new ArgumentException($"Vocabulary lacks the byte-level token '{spelling}' for byte 0x{b:X2}; not a byte-level BPE vocabulary.", nameof(vocabulary));
            }
        }

        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!vocabulary.TryGetValue(left, out var leftId) || !vocabulary.TryGetValue(right, out var rightId)
                || !vocabulary.TryGetValue(left + right, out var mergedId))
            {
                throw new ArgumentException($"Merge #{rank} '{left} {right}' uses a token missing from the vocabulary.", nameof(merges));
            }
            // The first occurrence of a pair wins, as in Hugging Face tokenizers.
            _merges.TryAdd(PairKey(leftId, rightId), (rank, mergedId));
        }

        _preTokenizer = preTokenizerPattern is null ? null : new Regex(preTokenizerPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        _addedTokenMatcher = addedTokens.Count == 0
            ? null
            : new Regex(
                string.Join('|', addedTokens.Select(t => t.Content).Distinct().OrderByDescending(c => c.Length).Select(Regex.Escape)),
                RegexOptions.Compiled | RegexOptions.CultureInvariant);
        _normalizeNfc = normalizeNfc;
        _ignoreMerges = ignoreMerges;
    }

    public override Normalizer? Normalizer => _normalizeNfc ? NfcNormalizer.Instance : null;

    /// <summary>Number of ids (highest id + 1), including added tokens.</summary>
    public int VocabSize => _idToToken.Length;

    /// <summary>Added tokens by content (includes special and non-special ones such as Qwen's &lt;think&gt;).</summary>
    public IReadOnlyDictionary<string, AddedToken> AddedTokens => _addedTokens;

    /// <summary>Id of a token given in vocabulary spelling or as added-token content; null when unknown.</summary>
    public int? TokenToId(string token) => _tokenToId.TryGetValue(token, out var id) ? id : null;

    /// <summary>Vocabulary spelling (or added-token content) of an id; null when the id is unused.</summary>
    public string? IdToToken(int id) => id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;

    public bool IsSpecial(int id) => _specialIds.Contains(id);

    /// <summary>Bos/eos/pad tokens named by tokenizer_config.json, when the loader found them.</summary>
    public string? BosToken { get; init; }

    public string? EosToken { get; init; }

    public string? PadToken { get; init; }

    public int? BosTokenId => BosToken is null ? null : TokenToId(BosToken);

    public int? EosTokenId => EosToken is null ? null : TokenToId(EosToken);

    public int? PadTokenId => PadToken is null ? null : TokenToId(PadToken);

    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var tokens = new List<EncodedToken>();
        var (normalized, consumed) = Encode(text ?? textSpan.ToString(), settings, ids: null, tokens);
        return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = normalized, CharsConsumed = consumed };
    }

    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var ids = new List<int>();
        var (normalized, consumed) = Encode(text ?? textSpan.ToString(), settings, ids, tokens: null);
        return new EncodeResults<int> { Tokens = ids, NormalizedText = normalized, CharsConsumed = consumed };
    }

    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var ids = new List<int>();
        Encode(text ?? textSpan.ToString(), settings, ids, tokens: null);
        return ids.Count;
    }

    public override string Decode(IEnumerable<int> ids) => Decode(ids, skipSpecialTokens: false);

    /// <summary>Decodes ids to text; invalid UTF-8 byte sequences (a split multi-byte character) become U+FFFD.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (skipSpecialTokens && _specialIds.Contains(id))
            {
                continue;
            }
            bytes.AddRange(BytesOf(id));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var idList = ids as IReadOnlyList<int> ?? ids.ToList();
        var full = Decode(idList);
        if (full.Length <= destination.Length)
        {
            full.AsSpan().CopyTo(destination);
            idsConsumed = idList.Count;
            charsWritten = full.Length;
            return OperationStatus.Done;
        }

        // Rare path: find the longest id prefix whose text fits.
        idsConsumed = 0;
        charsWritten = 0;
        for (var count = 1; count < idList.Count; count++)
        {
            var prefix = Decode(idList.Take(count));
            if (prefix.Length > destination.Length)
            {
                break;
            }
            prefix.AsSpan().CopyTo(destination);
            idsConsumed = count;
            charsWritten = prefix.Length;
        }
        return OperationStatus.DestinationTooSmall;
    }

    private byte[] BytesOf(int id)
    {
        if (id < 0 || id >= _idToBytes.Length || _idToBytes[id] is not { } bytes)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is not in the vocabulary (size {VocabSize}).");
        }
        return bytes;
    }

    private static byte[] SpellingToBytes(string spelling)
    {
        var bytes = new byte[spelling.Length];
        for (var i = 0; i < spelling.Length; i++)
        {
            if (!ByteLevelAlphabet.TryCharToByte(spelling[i], out bytes[i]))
            {
                // Tokens outside the byte alphabet (e.g. added tokens also listed in the vocabulary) decode literally.
                return Encoding.UTF8.GetBytes(spelling);
            }
        }
        return bytes;
    }

    private static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    private (string? Normalized, int CharsConsumed) Encode(string text, EncodeSettings settings, List<int>? ids, List<EncodedToken>? tokens)
    {
        var maxTokens = settings.MaxTokenCount;
        if (maxTokens <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), maxTokens, "EncodeSettings.MaxTokenCount must be positive.");
        }

        var normalizedText = new StringBuilder(text.Length);
        var count = 0;
        var consumed = 0;
        var position = 0;
        var truncated = false;
        var anyNormalizationChange = false;

        void EmitSegment(string raw)
        {
            var segment = raw;
            if (_normalizeNfc && settings.ConsiderNormalization)
            {
                segment = NfcNormalizer.Instance.Normalize(raw);
                anyNormalizationChange |= !string.Equals(segment, raw, StringComparison.Ordinal);
            }
            var segmentStart = normalizedText.Length;
            normalizedText.Append(segment);
            if (_preTokenizer is null || !settings.ConsiderPreTokenization)
            {
                EmitWord(segment, segmentStart);
                return;
            }
            for (var match = _preTokenizer.Match(segment); match.Success && !truncated; match = match.NextMatch())
            {
                if (match.Length > 0)
                {
                    EmitWord(match.Value, segmentStart + match.Index);
                }
            }
        }

        void EmitWord(string word, int wordStart)
        {
            var wordIds = EncodeWord(word);
            if (count + wordIds.Length > maxTokens)
            {
                // Never emit part of a word: a partial word would encode differently from the same text re-encoded.
                truncated = true;
                return;
            }
            var byteOffset = 0;
            foreach (var id in wordIds)
            {
                var byteLength = _idToBytes[id]!.Length;
                if (tokens is not null)
                {
                    var start = wordStart + CharIndexOfByte(word, byteOffset);
                    var end = wordStart + CharIndexOfByte(word, byteOffset + byteLength - 1) + 1;
                    tokens.Add(new EncodedToken(id, _idToToken[id]!, new Range(start, Math.Max(start, end))));
                }
                ids?.Add(id);
                byteOffset += byteLength;
            }
            count += wordIds.Length;
            consumed = wordStart + word.Length;
        }

        for (var match = _addedTokenMatcher?.Match(text); match is { Success: true } && !truncated; match = match.NextMatch())
        {
            if (match.Index > position)
            {
                EmitSegment(text[position..match.Index]);
            }
            if (truncated)
            {
                break;
            }
            if (count + 1 > maxTokens)
            {
                truncated = true;
                break;
            }
            var added = _addedTokens[match.Value];
            var start = normalizedText.Length;
            normalizedText.Append(match.Value);
            tokens?.Add(new EncodedToken(added.Id, added.Content, new Range(start, start + match.Length)));
            ids?.Add(added.Id);
            count++;
            consumed = normalizedText.Length;
            position = match.Index + match.Length;
        }
        if (!truncated && position < text.Length)
        {
            EmitSegment(text[position..]);
        }

        return (anyNormalizationChange ? normalizedText.ToString() : null, consumed);
    }

    /// <summary>Index of the UTF-16 char that holds the given UTF-8 byte of <paramref name="word"/>.</summary>
    private static int CharIndexOfByte(string word, int byteIndex)
    {
        var bytesSoFar = 0;
        for (var i = 0; i < word.Length; i++)
        {
            var width = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1])
                ? 4
                : Encoding.UTF8.GetByteCount(word.AsSpan(i, 1));
            if (byteIndex < bytesSoFar + width)
            {
                return i;
            }
            bytesSoFar += width;
            if (width == 4)
            {
                i++;
            }
        }
        return word.Length - 1;
    }

    private int[] EncodeWord(string word)
    {
        if (_wordCache.TryGetValue(word, out var cached))
        {
            return cached;
        }

        var bytes = Encoding.UTF8.GetBytes(word);
        int[] result;
        if (_ignoreMerges && _tokenToId.TryGetValue(ToSpelling(bytes), out var wholeId) && !_addedTokens.ContainsKey(word))
        {
            result = [wholeId];
        }
        else
        {
            result = MergeBytes(bytes);
        }

        if (_wordCache.Count >= MaxCachedWords)
        {
            _wordCache.Clear();
        }
        _wordCache.TryAdd(word, result);
        return result;
    }

    private static string ToSpelling(byte[] bytes)
    {
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteLevelAlphabet.ByteToChar(bytes[i]);
        }
        return new string(chars);
    }

    /// <summary>
    /// Repeatedly merges the lowest-ranked adjacent pair, all its non-overlapping occurrences left to right —
    /// the same result as the reference priority-queue implementation.
    /// </summary>
    private int[] MergeBytes(byte[] bytes)
    {
        var parts = new List<int>(bytes.Length);
        foreach (var b in bytes)
        {
            parts.Add(_byteToId[b]);
        }

        while (parts.Count > 1)
        {
            var bestRank = int.MaxValue;
            var bestLeft = -1;
            var bestRight = -1;
            var bestMerged = -1;
            for (var i = 0; i + 1 < parts.Count; i++)
            {
                if (_merges.TryGetValue(PairKey(parts[i], parts[i + 1]), out var merge) && merge.Rank < bestRank)
                {
                    (bestRank, bestLeft, bestRight, bestMerged) = (merge.Rank, parts[i], parts[i + 1], merge.MergedId);
                }
            }
            if (bestMerged < 0)
            {
                break;
            }

            var next = new List<int>(parts.Count);
            for (var i = 0; i < parts.Count; i++)
            {
                if (i + 1 < parts.Count && parts[i] == bestLeft && parts[i + 1] == bestRight)
                {
                    next.Add(bestMerged);
                    i++;
                }
                else
                {
                    next.Add(parts[i]);
                }
            }
            parts = next;
        }
        return [.. parts];
    }
}
