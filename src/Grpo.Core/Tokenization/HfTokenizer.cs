using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Grpo.Core.Tokenization;

/// <summary>
/// Loads a Hugging Face byte-level BPE tokenizer (GPT-2, Qwen2/Qwen3, Llama-3 style) from
/// <c>tokenizer.json</c> and, when present, <c>tokenizer_config.json</c>.
/// </summary>
public static class HfTokenizer
{
    public const string TokenizerFileName = "tokenizer.json";
    public const string ConfigFileName = "tokenizer_config.json";

    /// <summary>GPT-2's pre-tokenizer, used when the ByteLevel pre-tokenizer itself carries the regex (use_regex = true).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>Loads the tokenizer; the returned object is a <see cref="ByteLevelBpeTokenizer"/>.</summary>
    public static Tokenizer Load(string directory) => LoadByteLevelBpe(directory);

    public static ByteLevelBpeTokenizer LoadByteLevelBpe(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var tokenizerPath = Path.Combine(directory, TokenizerFileName);
        if (!File.Exists(tokenizerPath))
        {
            throw new InvalidDataException($"Tokenizer file '{tokenizerPath}' does not exist.");
        }

        using var document = ParseJson(tokenizerPath);
        var root = document.RootElement;
        var model = RequireObject(root, "model", tokenizerPath, "model");

        var modelType = OptionalString(model, "type", tokenizerPath, "model.type") ?? "BPE";
        if (modelType != "BPE")
        {
            throw new InvalidDataException($"{tokenizerPath}: field 'model.type' is '{modelType}'; only byte-level 'BPE' is supported.");
        }
        RejectTrue(model, "byte_fallback", tokenizerPath, "model.byte_fallback");
        RejectNonEmpty(model, "continuing_subword_prefix", tokenizerPath, "model.continuing_subword_prefix");
        RejectNonEmpty(model, "end_of_word_suffix", tokenizerPath, "model.end_of_word_suffix");
        var ignoreMerges = OptionalBool(model, "ignore_merges", tokenizerPath, "model.ignore_merges");

        var vocabulary = ReadVocabulary(RequireObject(model, "vocab", tokenizerPath, "model.vocab"), tokenizerPath);
        var merges = ReadMerges(model, tokenizerPath);
        var addedTokens = ReadAddedTokens(root, tokenizerPath);
        var normalizeNfc = ReadNormalizer(root, tokenizerPath);
        var pattern = ReadPreTokenizerPattern(root, tokenizerPath);
        var config = ReadConfig(directory);

        try
        {
            return new ByteLevelBpeTokenizer(vocabulary, merges, pattern, normalizeNfc, addedTokens, ignoreMerges)
            {
                BosToken = config.Bos,
                EosToken = config.Eos,
                PadToken = config.Pad,
            };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{tokenizerPath}: field 'model': {e.Message}", e);
        }
    }

    /// <summary>Id of a token (added-token content or vocabulary spelling) for tokenizers built here; null when unknown.</summary>
    public static int? TokenId(Tokenizer tokenizer, string token)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(token);
        return tokenizer switch
        {
            ByteLevelBpeTokenizer bpe => bpe.TokenToId(token),
            CharTokenizer chars => chars.TokenToId(token),
            _ => tokenizer.EncodeToIds(token) is [var single] ? single : null,
        };
    }

    private static JsonDocument ParseJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {e.BytePositionInLine}: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{path}: cannot be read: {e.Message}", e);
        }
    }

    private static Dictionary<string, int> ReadVocabulary(JsonElement vocab, string path)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
            {
                throw new InvalidDataException($"{path}: field 'model.vocab[\"{entry.Name}\"]' must be a non-negative integer id.");
            }
            result[entry.Name] = id;
        }
        if (result.Count == 0)
        {
            throw new InvalidDataException($"{path}: field 'model.vocab' is empty.");
        }
        return result;
    }

    /// <summary>Merges come as "a b" strings (older files) or ["a", "b"] pairs (tokenizers ≥ 0.20).</summary>
    private static List<(string, string)> ReadMerges(JsonElement model, string path)
    {
        if (!model.TryGetProperty("merges", out var merges) || merges.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path}: field 'model.merges' is missing or not an array.");
        }
        var result = new List<(string, string)>(merges.GetArrayLength());
        var index = 0;
        foreach (var merge in merges.EnumerateArray())
        {
            var field = $"model.merges[{index}]";
            if (merge.ValueKind == JsonValueKind.String)
            {
                var text = merge.GetString()!;
                var space = text.IndexOf(' ', StringComparison.Ordinal);
                if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                {
                    throw new InvalidDataException($"{path}: field '{field}' = \"{text}\" is not two tokens separated by one space.");
                }
                result.Add((text[..space], text[(space + 1)..]));
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                result.Add((merge[0].GetString()!, merge[1].GetString()!));
            }
            else
            {
                throw new InvalidDataException($"{path}: field '{field}' must be a \"left right\" string or a [\"left\", \"right\"] pair.");
            }
            index++;
        }
        return result;
    }

    private static List<AddedToken> ReadAddedTokens(JsonElement root, string path)
    {
        var result = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out var added) || added.ValueKind == JsonValueKind.Null)
        {
            return result;
        }
        if (added.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path}: field 'added_tokens' must be an array.");
        }
        var index = 0;
        foreach (var token in added.EnumerateArray())
        {
            var field = $"added_tokens[{index}]";
            if (token.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: field '{field}' must be an object.");
            }
            if (!token.TryGetProperty("id", out var idElement) || !idElement.TryGetInt32(out var id) || id < 0)
            {
                throw new InvalidDataException($"{path}: field '{field}.id' is missing or not a non-negative integer.");
            }
            var content = OptionalString(token, "content", path, $"{field}.content");
            if (string.IsNullOrEmpty(content))
            {
                throw new InvalidDataException($"{path}: field '{field}.content' is missing or empty.");
            }
            var special = OptionalBool(token, "special", path, $"{field}.special");
            result.Add(new AddedToken(id, content, special));
            index++;
        }
        return result;
    }

    private static bool ReadNormalizer(JsonElement root, string path)
    {
        if (!root.TryGetProperty("normalizer", out var normalizer) || normalizer.ValueKind == JsonValueKind.Null)
        {
            return false;
        }
        return NormalizerIsNfc(normalizer, path, "normalizer");
    }

    private static bool NormalizerIsNfc(JsonElement normalizer, string path, string field)
    {
        var type = OptionalString(normalizer, "type", path, $"{field}.type");
        switch (type)
        {
            case "NFC":
                return true;
            case "Sequence" when normalizer.TryGetProperty("normalizers", out var list) && list.ValueKind == JsonValueKind.Array:
                var nfc = false;
                var i = 0;
                foreach (var inner in list.EnumerateArray())
                {
                    nfc |= NormalizerIsNfc(inner, path, $"{field}.normalizers[{i++}]");
                }
                return nfc;
            default:
                throw new InvalidDataException($"{path}: field '{field}.type' = '{type}' is not supported (only NFC or none).");
        }
    }

    /// <summary>Returns the split regex; requires the byte-level step so the vocabulary spelling matches.</summary>
    private static string? ReadPreTokenizerPattern(JsonElement root, string path)
    {
        if (!root.TryGetProperty("pre_tokenizer", out var preTokenizer) || preTokenizer.ValueKind == JsonValueKind.Null)
        {
            throw new InvalidDataException($"{path}: field 'pre_tokenizer' is missing; a ByteLevel pre-tokenizer is required.");
        }

        var steps = new List<(JsonElement Element, string Field)>();
        if (OptionalString(preTokenizer, "type", path, "pre_tokenizer.type") == "Sequence")
        {
            if (!preTokenizer.TryGetProperty("pretokenizers", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"{path}: field 'pre_tokenizer.pretokenizers' is missing or not an array.");
            }
            var i = 0;
            foreach (var step in list.EnumerateArray())
            {
                steps.Add((step, $"pre_tokenizer.pretokenizers[{i++}]"));
            }
        }
        else
        {
            steps.Add((preTokenizer, "pre_tokenizer"));
        }

        string? pattern = null;
        var sawByteLevel = false;
        foreach (var (step, field) in steps)
        {
            var type = OptionalString(step, "type", path, $"{field}.type");
            switch (type)
            {
                case "Split":
                    if (pattern is not null)
                    {
                        throw new InvalidDataException($"{path}: field '{field}': more than one regex split is not supported.");
                    }
                    var behavior = OptionalString(step, "behavior", path, $"{field}.behavior");
                    if (behavior != "Isolated")
                    {
                        throw new InvalidDataException($"{path}: field '{field}.behavior' = '{behavior}' is not supported (only 'Isolated').");
                    }
                    RejectTrue(step, "invert", path, $"{field}.invert");
                    pattern = ReadSplitPattern(step, path, field);
                    break;
                case "ByteLevel":
                    RejectTrue(step, "add_prefix_space", path, $"{field}.add_prefix_space");
                    sawByteLevel = true;
                    // use_regex defaults to true in Hugging Face tokenizers.
                    var useRegex = !step.TryGetProperty("use_regex", out var useRegexElement) || useRegexElement.ValueKind != JsonValueKind.False;
                    if (useRegex)
                    {
                        if (pattern is not null)
                        {
                            throw new InvalidDataException($"{path}: field '{field}.use_regex': a Split regex followed by the GPT-2 regex is not supported.");
                        }
                        pattern = Gpt2Pattern;
                    }
                    break;
                default:
                    throw new InvalidDataException($"{path}: field '{field}.type' = '{type}' is not supported (Split, ByteLevel).");
            }
        }
        if (!sawByteLevel)
        {
            throw new InvalidDataException($"{path}: field 'pre_tokenizer' has no ByteLevel step; only byte-level BPE is supported.");
        }
        return pattern;
    }

    private static string ReadSplitPattern(JsonElement step, string path, string field)
    {
        if (!step.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: field '{field}.pattern' is missing or not an object.");
        }
        if (pattern.TryGetProperty("Regex", out var regex) && regex.ValueKind == JsonValueKind.String)
        {
            var text = regex.GetString()!;
            try
            {
                _ = new System.Text.RegularExpressions.Regex(text);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{path}: field '{field}.pattern.Regex' is not a valid regular expression: {e.Message}", e);
            }
            return text;
        }
        if (pattern.TryGetProperty("String", out var literal) && literal.ValueKind == JsonValueKind.String)
        {
            return System.Text.RegularExpressions.Regex.Escape(literal.GetString()!);
        }
        throw new InvalidDataException($"{path}: field '{field}.pattern' needs a 'Regex' or 'String' value.");
    }

    private static (string? Bos, string? Eos, string? Pad) ReadConfig(string directory)
    {
        var configPath = Path.Combine(directory, ConfigFileName);
        if (!File.Exists(configPath))
        {
            return (null, null, null);
        }
        using var document = ParseJson(configPath);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{configPath}: the root must be a JSON object.");
        }
        return (TokenName(root, "bos_token", configPath), TokenName(root, "eos_token", configPath), TokenName(root, "pad_token", configPath));
    }

    /// <summary>tokenizer_config.json spells special tokens as a string or as {"content": ...}.</summary>
    private static string? TokenName(JsonElement root, string field, string path)
    {
        if (!root.TryGetProperty(field, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String => content.GetString(),
            _ => throw new InvalidDataException($"{path}: field '{field}' must be a string, null or an object with 'content'."),
        };
    }

    private static JsonElement RequireObject(JsonElement parent, string name, string path, string field)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: expected a JSON object around field '{field}'.");
        }
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: field '{field}' is missing or not an object.");
        }
        return value;
    }

    private static string? OptionalString(JsonElement parent, string name, string path, string field)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: expected a JSON object around field '{field}'.");
        }
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new InvalidDataException($"{path}: field '{field}' must be a string.");
    }

    private static bool OptionalBool(JsonElement parent, string name, string path, string field)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidDataException($"{path}: field '{field}' must be true or false."),
        };
    }

    private static void RejectTrue(JsonElement parent, string name, string path, string field)
    {
        if (OptionalBool(parent, name, path, field))
        {
            throw new InvalidDataException($"{path}: field '{field}' = true is not supported.");
        }
    }

    private static void RejectNonEmpty(JsonElement parent, string name, string path, string field)
    {
        if (!string.IsNullOrEmpty(OptionalString(parent, name, path, field)))
        {
            throw new InvalidDataException($"{path}: field '{field}' must be empty for byte-level BPE.");
        }
    }
}
