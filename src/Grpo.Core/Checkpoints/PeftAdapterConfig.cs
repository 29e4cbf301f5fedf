using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpo.Core.Model;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// PEFT's <c>adapter_config.json</c> for a LoRA adapter on a causal LM. Only what this project can reproduce is accepted
/// on reading (plain LoRA on listed projections, no bias training, no DoRA / rsLoRA / per-layer patterns); anything else
/// is refused with the file and field named rather than silently changing what the adapter computes.
/// </summary>
public sealed record PeftAdapterConfig(LoraOptions Options, string? BaseModelNameOrPath)
{
    public const string FileName = "adapter_config.json";

    public string ToJson()
    {
        var obj = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = BaseModelNameOrPath,
            ["r"] = Options.Rank,
            ["lora_alpha"] = Options.Alpha,
            ["lora_dropout"] = Options.Dropout,
            ["target_modules"] = new JsonArray(Options.TargetModules.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["use_rslora"] = false,
            ["use_dora"] = false,
            ["modules_to_save"] = null,
            ["init_lora_weights"] = true,
            ["inference_mode"] = true,
        };
        return obj.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, FileName), ToJson());
    }

    /// <summary>Reads <c>adapter_config.json</c> from <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is not a LoRA config this project supports; the message names the file and field.</exception>
    public static PeftAdapterConfig Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{directory}' is not a PEFT adapter folder: it has no {FileName}.", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses adapter_config.json text; <paramref name="sourceName"/> names it in errors.</summary>
    public static PeftAdapterConfig Parse(string json, string sourceName)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{sourceName}: expected a JSON object at the top level");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }

        var peftType = String(obj, "peft_type", sourceName);
        if (peftType != "LORA")
            throw new InvalidDataException($"{sourceName}: field 'peft_type' = '{peftType}' is not supported; only LORA adapters are.");
        if (obj["task_type"] is not null && String(obj, "task_type", sourceName) is var task && task != "CAUSAL_LM")
            throw new InvalidDataException($"{sourceName}: field 'task_type' = '{task}' is not supported; the model is a causal LM (CAUSAL_LM).");
        var bias = obj["bias"] is null ? "none" : String(obj, "bias", sourceName);
        if (bias != "none")
            throw new InvalidDataException($"{sourceName}: field 'bias' = '{bias}' is not supported; only 'none' (biases stay frozen) is.");
        foreach (var flag in new[] { "use_dora", "use_rslora", "fan_in_fan_out" })
            if (obj[flag] is JsonValue value && value.TryGetValue<bool>(out var on) && on)
                throw new InvalidDataException($"{sourceName}: field '{flag}' = true is not supported.");
        foreach (var pattern in new[] { "rank_pattern", "alpha_pattern" })
            if (obj[pattern] is JsonObject patterns && patterns.Count > 0)
                throw new InvalidDataException($"{sourceName}: field '{pattern}' is not supported; every target must share r and lora_alpha.");
        foreach (var field in new[] { "layers_to_transform", "modules_to_save" })
            if (obj[field] is JsonArray { Count: > 0 } || obj[field] is JsonValue)
                throw new InvalidDataException($"{sourceName}: field '{field}' is not supported; adapters cover every layer and no other module is trained.");

        var targets = obj["target_modules"] switch
        {
            JsonArray array => array.Select(node => TargetModule(node, sourceName)).ToArray(),
            null => throw new InvalidDataException($"{sourceName}: field 'target_modules' is missing."),
            _ => throw new InvalidDataException(
                $"{sourceName}: field 'target_modules' must be a list of projection names; a single string (a regular expression in PEFT) is not supported."),
        };
        var options = new LoraOptions
        {
            Rank = Int(obj, "r", sourceName),
            Alpha = obj["lora_alpha"] is null ? LoraOptions.DefaultAlpha : Number(obj, "lora_alpha", sourceName),
            Dropout = obj["lora_dropout"] is null ? 0 : Number(obj, "lora_dropout", sourceName),
            TargetModules = targets,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{sourceName}: {e.Message}", e);
        }
        var baseModel = obj["base_model_name_or_path"] is null ? null : String(obj, "base_model_name_or_path", sourceName);
        return new PeftAdapterConfig(options, baseModel);
    }

    static string TargetModule(JsonNode? node, string sourceName)
    {
        if (node is not JsonValue value || !value.TryGetValue<string>(out var name))
            throw new InvalidDataException($"{sourceName}: field 'target_modules' must hold strings, got {node?.ToJsonString() ?? "null"}.");
        if (!LoraOptions.AllTargetModules.Contains(name, StringComparer.Ordinal))
            throw new InvalidDataException(
                $"{sourceName}: field 'target_modules' names '{name}', which is not one of {string.Join(", ", LoraOptions.AllTargetModules)}.");
        return name;
    }

    static string String(JsonObject obj, string field, string sourceName) =>
        obj[field] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new InvalidDataException($"{sourceName}: field '{field}' must be a string, got {obj[field]?.ToJsonString() ?? "nothing"}.");

    static double Number(JsonObject obj, string field, string sourceName) =>
        obj[field] is JsonValue value && value.TryGetValue<double>(out var number)
            ? number
            : throw new InvalidDataException($"{sourceName}: field '{field}' must be a number, got {obj[field]?.ToJsonString() ?? "nothing"}.");

    static int Int(JsonObject obj, string field, string sourceName)
    {
        var number = Number(obj, field, sourceName);
        if (number != Math.Floor(number) || number < int.MinValue || number > int.MaxValue)
            throw new InvalidDataException($"{sourceName}: field '{field}' must be an integer, got {number.ToString(CultureInfo.InvariantCulture)}.");
        return (int)number;
    }
}
