using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Grpo.Core.Tokenization;

/// <summary>
/// Unicode NFC in managed code. <see cref="string.Normalize()"/> cannot be used: with InvariantGlobalization (as
/// this solution builds) it silently returns non-ASCII text unchanged. Tables: <see cref="UnicodeNfcData"/>.
/// </summary>
public sealed class NfcNormalizer : Normalizer
{
    private const int HangulSBase = 0xAC00, HangulLBase = 0x1100, HangulVBase = 0x1161, HangulTBase = 0x11A7;
    private const int HangulLCount = 19, HangulVCount = 21, HangulTCount = 28;
    private const int HangulNCount = HangulVCount * HangulTCount, HangulSCount = HangulLCount * HangulNCount;

    private static readonly Dictionary<int, int[]> DecompositionMap = [];
    private static readonly Dictionary<long, int> CompositionMap = [];
    private static readonly Dictionary<int, byte> CombiningClassMap = [];

    static NfcNormalizer()
    {
        foreach (var entry in UnicodeNfcData.Decompositions.Split(';'))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var key = entry[..colon];
            var excluded = key.EndsWith('!');
            var code = int.Parse(excluded ? key[..^1] : key, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var parts = entry[(colon + 1)..].Split(' ').Select(p => int.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
            DecompositionMap[code] = parts;
            if (!excluded)
            {
                CompositionMap[PairKey(parts[0], parts[1])] = code;
            }
        }
        foreach (var entry in UnicodeNfcData.CombiningClasses.Split(';'))
        {
            var dash = entry.IndexOf('-', StringComparison.Ordinal);
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var first = int.Parse(entry[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var last = int.Parse(entry[(dash + 1)..colon], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var combiningClass = byte.Parse(entry[(colon + 1)..], CultureInfo.InvariantCulture);
            for (var code = first; code <= last; code++)
            {
                CombiningClassMap[code] = combiningClass;
            }
        }
    }

    public static NfcNormalizer Instance { get; } = new();

    public override string Normalize(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return NeedsWork(original) ? Compose(Decompose(original)) : original;
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());

    /// <summary>Text made only of code points below U+0300 is always in NFC.</summary>
    private static bool NeedsWork(string text)
    {
        foreach (var c in text)
        {
            if (c >= '\u0300')
            {
                return true;
            }
        }
        return false;
    }

    private static long PairKey(int first, int second) => ((long)first << 21) | (uint)second;

    private static int CombiningClass(int code) => CombiningClassMap.TryGetValue(code, out var value) ? value : 0;

    /// <summary>Full canonical decomposition followed by canonical ordering of combining marks.</summary>
    private static List<int> Decompose(string text)
    {
        var output = new List<int>(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            AppendDecomposed(rune.Value, output);
        }
        // Stable bubble sort of each run of non-starters by combining class; runs are short.
        for (var i = 1; i < output.Count; i++)
        {
            var current = CombiningClass(output[i]);
            if (current == 0)
            {
                continue;
            }
            for (var j = i; j > 0; j--)
            {
                var previous = CombiningClass(output[j - 1]);
                if (previous <= current)
                {
                    break;
                }
                (output[j - 1], output[j]) = (output[j], output[j - 1]);
            }
        }
        return output;
    }

    private static void AppendDecomposed(int code, List<int> output)
    {
        var s = code - HangulSBase;
        if (s is >= 0 and < HangulSCount)
        {
            output.Add(HangulLBase + s / HangulNCount);
            output.Add(HangulVBase + s % HangulNCount / HangulTCount);
            if (s % HangulTCount != 0)
            {
                output.Add(HangulTBase + s % HangulTCount);
            }
            return;
        }
        if (DecompositionMap.TryGetValue(code, out var parts))
        {
            foreach (var part in parts)
            {
                AppendDecomposed(part, output);
            }
            return;
        }
        output.Add(code);
    }

    /// <summary>Canonical composition: each character joins the last starter unless a mark in between blocks it.</summary>
    private static string Compose(List<int> codes)
    {
        var result = new List<int>(codes.Count);
        var starterIndex = -1;
        var lastClass = -1;
        foreach (var code in codes)
        {
            var combiningClass = CombiningClass(code);
            var adjacent = starterIndex >= 0 && starterIndex == result.Count - 1;
            var unblocked = adjacent || (starterIndex >= 0 && lastClass != 0 && lastClass < combiningClass);
            if (unblocked && TryCompose(result[starterIndex], code, out var composite))
            {
                result[starterIndex] = composite;
                continue;
            }
            if (combiningClass == 0)
            {
                starterIndex = result.Count;
            }
            lastClass = combiningClass;
            result.Add(code);
        }

        var builder = new StringBuilder(result.Count);
        foreach (var code in result)
        {
            builder.Append(char.ConvertFromUtf32(code));
        }
        return builder.ToString();
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        var l = first - HangulLBase;
        var v = second - HangulVBase;
        if (l is >= 0 and < HangulLCount && v is >= 0 and < HangulVCount)
        {
            composite = HangulSBase + (l * HangulVCount + v) * HangulTCount;
            return true;
        }
        var s = first - HangulSBase;
        var t = second - HangulTBase;
        if (s is >= 0 and < HangulSCount && s % HangulTCount == 0 && t is > 0 and < HangulTCount)
        {
            composite = first + t;
            return true;
        }
        return CompositionMap.TryGetValue(PairKey(first, second), out composite);
    }
}
