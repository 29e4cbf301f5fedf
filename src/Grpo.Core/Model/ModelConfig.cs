using System.Text.Json;
using System.Text.Json.Nodes;
using Grpo.Core.Registries;

namespace Grpo.Core.Model;

/// <summary>
/// The shape of a decoder-only causal LM, mirroring the fields of a Hugging Face <c>config.json</c> so that
/// checkpoints from the Hub map one to one onto <see cref="CausalLM"/>. The numbers live here; what differs between
/// architectures (defaults, optional layers, extra checks) is the <see cref="Family"/>'s.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The architecture's rules, selected by the <c>architectures</c> field of config.json.</summary>
    public required IModelFamily Family { get; init; }

    /// <summary>The Hugging Face class name written to <c>architectures</c>.</summary>
    public string Architecture => Family.Architecture;

    /// <summary>The <c>model_type</c> written to config.json; a file that names another one is refused on loading.</summary>
    public string ModelType => Family.ModelType;

    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int HeadDim { get; init; }
    public double RmsNormEps { get; init; } = 1e-6;
    public double RopeTheta { get; init; } = 10000.0;
    public int MaxPositionEmbeddings { get; init; } = 2048;
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Llama 3 rotary scaling (rope_type llama3); null for plain rotary embeddings.</summary>
    public Llama3RopeScaling? RopeScaling { get; init; }

    /// <summary>Bias on q/k/v; whether o_proj has one too is the family's rule (<see cref="OutputProjectionBias"/>).</summary>
    public bool AttentionBias { get; init; }

    public int? BosTokenId { get; init; }
    public int[] EosTokenIds { get; init; } = [];

    /// <summary>Informational only: the model is built in float32 unless converted afterwards.</summary>
    public string? TorchDtype { get; init; }

    /// <summary>Queries and keys are normalised per head before the rotary embedding (<see cref="IModelFamily.QkNorm"/>).</summary>
    public bool QkNorm => Family.QkNorm;

    /// <summary>o_proj has a bias (<see cref="IModelFamily.OutputProjectionBias"/> given <see cref="AttentionBias"/>).</summary>
    public bool OutputProjectionBias => Family.OutputProjectionBias(AttentionBias);

    /// <summary>Reads a config.json whose architecture is one of the built-in families.</summary>
    public static ModelConfig Load(string configJsonPath) => Load(configJsonPath, ModelFamilies.BuiltIn);

    /// <summary>Reads a config.json whose architecture is registered in <paramref name="families"/>.</summary>
    public static ModelConfig Load(string configJsonPath, ComponentRegistry<IModelFamily> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        if (!File.Exists(configJsonPath))
            throw new FileNotFoundException($"{configJsonPath}: model config file not found", configJsonPath);
        return Parse(File.ReadAllText(configJsonPath), configJsonPath, families);
    }

    /// <summary>Parses config.json text of one of the built-in families; <paramref name="sourceName"/> names it in errors.</summary>
    public static ModelConfig Parse(string json, string sourceName) => Parse(json, sourceName, ModelFamilies.BuiltIn);

    /// <summary>Parses config.json text whose architecture is registered in <paramref name="families"/>.</summary>
    public static ModelConfig Parse(string json, string sourceName, ComponentRegistry<IModelFamily> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }
        if (root is not JsonObject obj)
            throw new InvalidDataException($"{sourceName}: expected a JSON object at the top level");

        var reader = new ConfigReader(obj, sourceName);
        var family = ModelFamilies.Find(families, reader.Architecture(), sourceName);
        var defaults = family.Defaults;
        if (reader.OptionalString("model_type") is { } modelType && modelType != family.ModelType)
            throw new InvalidDataException(
                $"{sourceName}: field 'model_type' = '{modelType}' is not supported for field 'architectures' = '{family.Architecture}', " +
                $"which expects '{family.ModelType}'");
        var hidden = reader.RequiredInt("hidden_size");
        var heads = reader.RequiredInt("num_attention_heads");
        var ropeScaling = reader.RopeScaling();
        if (reader.OptionalBool("mlp_bias") == true)
            throw new InvalidDataException($"{sourceName}: field 'mlp_bias' = true is not supported (the MLP has no bias)");
        if (reader.OptionalBool("use_sliding_window") == true)
            throw new InvalidDataException($"{sourceName}: field 'use_sliding_window' = true is not supported (only full attention is implemented)");

        var config = new ModelConfig
        {
            Family = family,
            VocabSize = reader.RequiredInt("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = reader.RequiredInt("intermediate_size"),
            NumHiddenLayers = reader.RequiredInt("num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = reader.OptionalInt("num_key_value_heads") ?? heads,
            HeadDim = reader.OptionalInt("head_dim") ?? (heads > 0 ? hidden / heads : 0),
            RmsNormEps = reader.OptionalDouble("rms_norm_eps") ?? defaults.RmsNormEps,
            RopeTheta = reader.RopeTheta() ?? defaults.RopeTheta,
            MaxPositionEmbeddings = reader.OptionalInt("max_position_embeddings") ?? defaults.MaxPositionEmbeddings,
            TieWordEmbeddings = reader.OptionalBool("tie_word_embeddings") ?? false,
            RopeScaling = ropeScaling,
            AttentionBias = family.AttentionBias(reader.OptionalBool("attention_bias")),
            BosTokenId = reader.OptionalInt("bos_token_id"),
            EosTokenIds = reader.EosTokenIds(),
            TorchDtype = reader.OptionalString("torch_dtype") ?? reader.OptionalString("dtype"),
        };
        config.Validate(sourceName);
        return config;
    }

    public void Save(string configJsonPath)
    {
        Validate(configJsonPath);
        var obj = new JsonObject
        {
            ["architectures"] = new JsonArray(Architecture),
            ["model_type"] = ModelType,
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["num_attention_heads"] = NumAttentionHeads,
            ["num_key_value_heads"] = NumKeyValueHeads,
            ["head_dim"] = HeadDim,
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["rope_scaling"] = RopeScaling is { } scaling
                ? new JsonObject
                {
                    ["rope_type"] = "llama3",
                    ["factor"] = scaling.Factor,
                    ["low_freq_factor"] = scaling.LowFreqFactor,
                    ["high_freq_factor"] = scaling.HighFreqFactor,
                    ["original_max_position_embeddings"] = scaling.OriginalMaxPositionEmbeddings,
                }
                : null,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["attention_bias"] = AttentionBias,
            ["hidden_act"] = "silu",
        };
        if (BosTokenId is { } bos) obj["bos_token_id"] = bos;
        if (EosTokenIds.Length == 1) obj["eos_token_id"] = EosTokenIds[0];
        else if (EosTokenIds.Length > 1) obj["eos_token_id"] = new JsonArray(EosTokenIds.Select(id => (JsonNode?)id).ToArray());
        if (TorchDtype is not null) obj["torch_dtype"] = TorchDtype;

        var directory = Path.GetDirectoryName(Path.GetFullPath(configJsonPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(configJsonPath, obj.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Checks the shape constraints the model relies on; <paramref name="sourceName"/> names the file or caller in the message.</summary>
    public void Validate(string sourceName)
    {
        if (string.IsNullOrWhiteSpace(Family.Architecture))
            throw new InvalidDataException($"{sourceName}: field 'architectures' is empty: {Family.GetType().FullName} names no architecture");
        RequirePositive(sourceName, "vocab_size", VocabSize);
        RequirePositive(sourceName, "hidden_size", HiddenSize);
        RequirePositive(sourceName, "intermediate_size", IntermediateSize);
        RequirePositive(sourceName, "num_hidden_layers", NumHiddenLayers);
        RequirePositive(sourceName, "num_attention_heads", NumAttentionHeads);
        RequirePositive(sourceName, "num_key_value_heads", NumKeyValueHeads);
        RequirePositive(sourceName, "head_dim", HeadDim);
        RequirePositive(sourceName, "max_position_embeddings", MaxPositionEmbeddings);
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            throw new InvalidDataException($"{sourceName}: field 'num_key_value_heads' = {NumKeyValueHeads} must divide num_attention_heads = {NumAttentionHeads}");
        if (HeadDim % 2 != 0)
            throw new InvalidDataException($"{sourceName}: field 'head_dim' = {HeadDim} must be even for the rotary embedding");
        if (!(RmsNormEps > 0) || double.IsInfinity(RmsNormEps))
            throw new InvalidDataException($"{sourceName}: field 'rms_norm_eps' = {RmsNormEps} must be a positive number");
        if (!(RopeTheta > 0) || double.IsInfinity(RopeTheta))
            throw new InvalidDataException($"{sourceName}: field 'rope_theta' = {RopeTheta} must be a positive number");
        RopeScaling?.Validate(sourceName);
        foreach (var id in EosTokenIds)
            if (id < 0 || id >= VocabSize)
                throw new InvalidDataException($"{sourceName}: field 'eos_token_id' = {id} is outside the vocabulary [0, {VocabSize})");
        if (BosTokenId is { } bos && (bos < 0 || bos >= VocabSize))
            throw new InvalidDataException($"{sourceName}: field 'bos_token_id' = {bos} is outside the vocabulary [0, {VocabSize})");
        Family.Validate(this, sourceName);
    }

    /// <summary>The number of parameters <see cref="CausalLM"/> creates for this config.</summary>
    public long ParameterCount() => EmbeddingParameterCount() + NonEmbeddingParameterCount();

    /// <summary>embed_tokens plus lm_head when the output projection is not tied.</summary>
    public long EmbeddingParameterCount() => (long)VocabSize * HiddenSize * (TieWordEmbeddings ? 1 : 2);

    public long NonEmbeddingParameterCount()
    {
        long h = HiddenSize, q = (long)NumAttentionHeads * HeadDim, kv = (long)NumKeyValueHeads * HeadDim;
        var attention = h * q + 2 * h * kv + q * h;
        if (AttentionBias) attention += q + 2 * kv;
        if (OutputProjectionBias) attention += h;
        if (QkNorm) attention += 2L * HeadDim;
        var mlp = 3 * h * IntermediateSize;
        var perLayer = attention + mlp + 2 * h;
        return perLayer * NumHiddenLayers + h;
    }

    /// <summary>Equal numbers and the same family: the same architecture name from the same family class.</summary>
    public bool Equals(ModelConfig? other) =>
        other is not null &&
        Architecture == other.Architecture && Family.GetType() == other.Family.GetType() && VocabSize == other.VocabSize &&
        HiddenSize == other.HiddenSize && IntermediateSize == other.IntermediateSize && NumHiddenLayers == other.NumHiddenLayers &&
        NumAttentionHeads == other.NumAttentionHeads && NumKeyValueHeads == other.NumKeyValueHeads && HeadDim == other.HeadDim &&
        RmsNormEps.Equals(other.RmsNormEps) && RopeTheta.Equals(other.RopeTheta) && MaxPositionEmbeddings == other.MaxPositionEmbeddings &&
        TieWordEmbeddings == other.TieWordEmbeddings && AttentionBias == other.AttentionBias && BosTokenId == other.BosTokenId &&
        EosTokenIds.AsSpan().SequenceEqual(other.EosTokenIds) && TorchDtype == other.TorchDtype && Equals(RopeScaling, other.RopeScaling);

    public override int GetHashCode() =>
        HashCode.Combine(Architecture, VocabSize, HiddenSize, NumHiddenLayers, NumAttentionHeads, HeadDim, EosTokenIds.Length);

    static void RequirePositive(string sourceName, string field, int value)
    {
        if (value <= 0)
            throw new InvalidDataException($"{sourceName}: field '{field}' = {value} must be positive");
    }

    sealed class ConfigReader(JsonObject obj, string sourceName)
    {
        public string Architecture()
        {
            if (!obj.TryGetPropertyValue("architectures", out var node) || node is null)
                throw new InvalidDataException($"{sourceName}: required field 'architectures' is missing");
            if (node is not JsonArray array || array.Count == 0 || array[0] is not JsonValue first || first.GetValueKind() != JsonValueKind.String)
                throw new InvalidDataException($"{sourceName}: field 'architectures' must be a non-empty array of strings");
            return first.GetValue<string>();
        }

        public int RequiredInt(string field) =>
            OptionalInt(field) ?? throw new InvalidDataException($"{sourceName}: required field '{field}' is missing");

        public int? OptionalInt(string field)
        {
            if (Value(field) is not { } value) return null;
            if (value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<int>(out var result))
                throw new InvalidDataException($"{sourceName}: field '{field}' must be an integer, got {Describe(value)}");
            return result;
        }

        public double? OptionalDouble(string field)
        {
            if (Value(field) is not { } value) return null;
            if (value.GetValueKind() != JsonValueKind.Number)
                throw new InvalidDataException($"{sourceName}: field '{field}' must be a number, got {Describe(value)}");
            return value.GetValue<double>();
        }

        public bool? OptionalBool(string field)
        {
            if (Value(field) is not { } value) return null;
            return value.GetValueKind() switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new InvalidDataException($"{sourceName}: field '{field}' must be true or false, got {Describe(value)}"),
            };
        }

        public string? OptionalString(string field)
        {
            if (Value(field) is not { } value) return null;
            if (value.GetValueKind() != JsonValueKind.String)
                throw new InvalidDataException($"{sourceName}: field '{field}' must be a string, got {Describe(value)}");
            return value.GetValue<string>();
        }

        public int[] EosTokenIds()
        {
            if (!obj.TryGetPropertyValue("eos_token_id", out var node) || node is null) return [];
            if (node is JsonArray array)
                return array.Select((item, i) => item is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var id)
                    ? id
                    : throw new InvalidDataException($"{sourceName}: field 'eos_token_id[{i}]' must be an integer, got {Describe(item)}")).ToArray();
            return [RequiredInt("eos_token_id")];
        }

        /// <summary>Null for none (or rope_type "default"); Llama 3 scaling is read; every other kind is refused by name.</summary>
        public Llama3RopeScaling? RopeScaling()
        {
            if (!obj.TryGetPropertyValue("rope_scaling", out var node) || node is null) return null;
            if (node is not JsonObject scaling)
                throw new InvalidDataException($"{sourceName}: field 'rope_scaling' must be an object or null, got {Describe(node)}");
            var nested = new ConfigReader(scaling, sourceName);
            var kind = nested.OptionalString("rope_type") ?? nested.OptionalString("type") ?? "default";
            return kind switch
            {
                "default" => null,
                "llama3" => new Llama3RopeScaling(
                    nested.OptionalDouble("factor") ?? throw Missing("rope_scaling.factor"),
                    nested.OptionalDouble("low_freq_factor") ?? throw Missing("rope_scaling.low_freq_factor"),
                    nested.OptionalDouble("high_freq_factor") ?? throw Missing("rope_scaling.high_freq_factor"),
                    nested.OptionalInt("original_max_position_embeddings") ?? throw Missing("rope_scaling.original_max_position_embeddings")),
                _ => throw new InvalidDataException(
                    $"{sourceName}: field 'rope_scaling' of type '{kind}' is not supported (only llama3 and none; YaRN, linear and dynamic scaling are not implemented), got {scaling.ToJsonString()}"),
            };
        }

        InvalidDataException Missing(string field) => new($"{sourceName}: required field '{field}' is missing");

        /// <summary>Newer transformers nest the theta in 'rope_parameters'; only the default rope type is supported.</summary>
        public double? RopeTheta()
        {
            if (OptionalDouble("rope_theta") is { } theta) return theta;
            if (!obj.TryGetPropertyValue("rope_parameters", out var node) || node is null) return null;
            if (node is not JsonObject parameters)
                throw new InvalidDataException($"{sourceName}: field 'rope_parameters' must be an object, got {Describe(node)}");
            var nested = new ConfigReader(parameters, sourceName);
            var ropeType = nested.OptionalString("rope_type") ?? "default";
            if (ropeType != "default")
                throw new InvalidDataException($"{sourceName}: field 'rope_parameters.rope_type' = '{ropeType}' is not supported (only 'default')");
            return nested.OptionalDouble("rope_theta");
        }

        JsonValue? Value(string field)
        {
            if (!obj.TryGetPropertyValue(field, out var node) || node is null) return null;
            return node as JsonValue ?? throw new InvalidDataException($"{sourceName}: field '{field}' must be a single value, got {Describe(node)}");
        }

        static string Describe(JsonNode? node) => node is null ? "null" : $"{node.GetValueKind()} {node.ToJsonString()}";
    }
}
