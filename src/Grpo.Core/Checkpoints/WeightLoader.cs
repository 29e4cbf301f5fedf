using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>Copies named tensors (Hugging Face names) into a module's parameters and buffers.</summary>
public static class WeightLoader
{
    const string TiedLmHeadName = "lm_head.weight";

    /// <summary>
    /// Copies each weight into the <c>state_dict()</c> entry of the same name, converting dtype and device. Every name and
    /// shape is checked before anything is copied, so a failed load leaves the module untouched.
    /// </summary>
    public static void LoadInto(nn.Module module, IReadOnlyDictionary<string, Tensor> weights, string sourceName, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(weights);
        var targets = Match(module, weights.ToDictionary(p => p.Key, p => p.Value.shape, StringComparer.Ordinal), sourceName, strict);
        using var noGrad = no_grad();
        foreach (var (name, target) in targets)
            target.copy_(weights[name]);
    }

    /// <summary>
    /// The module's tensor for each source tensor it takes, by name in ordinal order, once every name and shape of
    /// <paramref name="sourceShapes"/> has been checked against the module's <c>state_dict()</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">Names every unexpected, missing or misshapen tensor at once.</exception>
    internal static IReadOnlyList<(string Name, Tensor Target)> Match(
        nn.Module module, IReadOnlyDictionary<string, long[]> sourceShapes, string sourceName, bool strict)
    {
        var targets = module.state_dict();
        var problems = new List<string>();
        var pairs = new List<(string, Tensor)>();
        foreach (var (name, shape) in sourceShapes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!targets.TryGetValue(name, out var target))
            {
                // Models with tied embeddings reuse the input embedding as the output projection, so the module has no
                // lm_head.weight of its own, yet some Hugging Face checkpoints still store the (identical) copy.
                if (strict && name != TiedLmHeadName)
                    problems.Add($"unexpected tensor '{name}' (the module has no such parameter or buffer)");
                continue;
            }
            if (!target.shape.SequenceEqual(shape))
            {
                problems.Add($"tensor '{name}' has shape [{string.Join(", ", shape)}] but the module expects [{string.Join(", ", target.shape)}]");
                continue;
            }
            pairs.Add((name, target));
        }
        if (strict)
            foreach (var name in targets.Keys.Where(name => !sourceShapes.ContainsKey(name)).Order(StringComparer.Ordinal))
                problems.Add($"missing tensor '{name}' (the module needs it but '{sourceName}' lacks it)");

        if (problems.Count > 0)
            throw new InvalidDataException($"Cannot load weights from '{sourceName}': {string.Join("; ", problems)}.");
        return pairs;
    }
}
