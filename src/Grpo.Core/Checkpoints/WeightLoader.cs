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
        var targets = module.state_dict();

        var problems = new List<string>();
        var pairs = new List<(Tensor Target, Tensor Source)>();
        foreach (var (name, source) in weights.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!targets.TryGetValue(name, out var target))
            {
                // Models with tied embeddings reuse the input embedding as the output projection, so the module has no
                // lm_head.weight of its own, yet some Hugging Face checkpoints still store the (identical) copy.
                if (strict && name != TiedLmHeadName)
                    problems.Add($"unexpected tensor '{name}' (the module has no such parameter or buffer)");
                continue;
            }
            if (!target.shape.SequenceEqual(source.shape))
            {
                problems.Add($"tensor '{name}' has shape [{string.Join(", ", source.shape)}] but the module expects [{string.Join(", ", target.shape)}]");
                continue;
            }
            pairs.Add((target, source));
        }
        if (strict)
            foreach (var name in targets.Keys.Where(name => !weights.ContainsKey(name)).Order(StringComparer.Ordinal))
                problems.Add($"missing tensor '{name}' (the module needs it but '{sourceName}' lacks it)");

        if (problems.Count > 0)
            throw new InvalidDataException($"Cannot load weights from '{sourceName}': {string.Join("; ", problems)}.");

        using var noGrad = no_grad();
        foreach (var (target, source) in pairs)
            target.copy_(source);
    }
}
