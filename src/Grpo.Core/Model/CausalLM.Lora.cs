using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

// LoRA: adapters on the decoder projections, a scope that switches them off (the KL reference without a second model),
// and the adapter and merged views of the weights that checkpoints, publication and export write.
public sealed partial class CausalLM
{
    const string LoraAKeyPart = ".lora_A.";
    const string LoraBKeyPart = ".lora_B.";

    int adaptersDisabledDepth;

    /// <summary>The adapters' options once <see cref="ApplyLora"/> ran; null for a plain model.</summary>
    public LoraOptions? Lora { get; private set; }

    /// <summary>
    /// Adds LoRA adapters to every target projection and freezes every other parameter (embeddings, norms, lm_head and the
    /// projections' own weights and biases): afterwards only lora_A / lora_B require gradients. A's initial values are
    /// drawn from torch's global generator, so seed it first for a reproducible run.
    /// </summary>
    public void ApplyLora(LoraOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (Lora is not null)
            throw new InvalidOperationException("LoRA is already applied to this model; apply it once.");
        foreach (var parameter in parameters())
            parameter.requires_grad = false;
        var baseDtype = options.BaseDtype == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;
        foreach (var (name, projection) in Projections())
        {
            if (baseDtype != ScalarType.Float32) projection.HoldBaseWeightIn(baseDtype);
            if (options.TargetModules.Contains(ModuleLeafName(name), StringComparer.Ordinal))
                projection.AddAdapter(options.Rank, options.Scale, options.Dropout);
        }
        Lora = options;
    }

    /// <summary>
    /// A scope in which the forward is the pure base model (adapters bypassed), e.g. for the KL reference's log-probs.
    /// Scopes nest; the model is not thread-safe, so use it on the thread that runs the model.
    /// </summary>
    /// <exception cref="InvalidOperationException">The adapters are merged into the base weights (<see cref="MergeAdapters"/>).</exception>
    public IDisposable AdaptersDisabled()
    {
        if (AdaptersMerged)
            throw new InvalidOperationException("the adapters are merged into the base weights; unmerge them before running the base alone.");
        adaptersDisabledDepth++;
        SetAdaptersActive(false);
        return new AdapterScope(this);
    }

    /// <summary>
    /// The adapter tensors only, keyed as in PEFT's adapter_model.safetensors without its <c>base_model.model.</c> prefix
    /// (<c>model.layers.0.self_attn.q_proj.lora_A.weight</c>). The tensors are the live parameters: do not dispose them.
    /// </summary>
    public Dictionary<string, Tensor> AdapterStateDict()
    {
        var adapters = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, value) in state_dict())
            if (IsAdapterKey(name))
                adapters.Add(name, value);
        return adapters;
    }

    /// <summary>
    /// Copies adapter tensors (keys as <see cref="AdapterStateDict"/>) into the model, converting dtype and device. The set
    /// of keys must match exactly and every shape must fit; all is checked before anything is copied.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no adapters.</exception>
    /// <exception cref="InvalidDataException">A key is missing or unexpected or a shape differs; the message names <paramref name="sourceName"/> and the keys.</exception>
    public void LoadAdapters(IReadOnlyDictionary<string, Tensor> adapters, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        if (Lora is null)
            throw new InvalidOperationException($"Cannot load adapters from '{sourceName}': the model has no LoRA adapters (apply LoRA first).");
        var targets = AdapterStateDict();
        var problems = new List<string>();
        foreach (var (name, source) in adapters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!targets.TryGetValue(name, out var target))
                problems.Add($"unexpected tensor '{name}' (the model has no such adapter parameter)");
            else if (!target.shape.SequenceEqual(source.shape))
                problems.Add($"tensor '{name}' has shape [{string.Join(", ", source.shape)}] but the model expects [{string.Join(", ", target.shape)}]");
        }
        foreach (var name in targets.Keys.Where(name => !adapters.ContainsKey(name)).Order(StringComparer.Ordinal))
            problems.Add($"missing tensor '{name}'");
        if (problems.Count > 0)
            throw new InvalidDataException($"Cannot load LoRA adapters from '{sourceName}': {string.Join("; ", problems)}.");

        // Merged weights hold the old adapters' product: take it out before the adapters change, fold the new one in after.
        var merged = AdaptersMerged;
        if (merged) UnmergeAdapters();
        using (no_grad())
            foreach (var (name, source) in adapters)
                targets[name].copy_(source);
        if (merged) MergeAdapters();
    }

    /// <summary>True after <see cref="MergeAdapters"/> until <see cref="UnmergeAdapters"/>.</summary>
    public bool AdaptersMerged { get; private set; }

    /// <summary>
    /// Folds every adapter into its projection's weight in place (W += scale · B A), so generation runs one matmul per
    /// projection instead of three. For serving only: adapters do not train while merged and the base cannot run alone.
    /// Needs float32 base weights: bfloat16 would round small adapter updates away and drift with every unmerge.
    /// </summary>
    /// <exception cref="InvalidOperationException">No adapters, or base weights that are not float32.</exception>
    public void MergeAdapters()
    {
        if (Lora is null)
            throw new InvalidOperationException("the model has no LoRA adapters to merge.");
        if (AdaptersMerged) return;
        var notFloat32 = Projections().FirstOrDefault(p => p.Module.HasAdapter && p.Module.Weight.dtype != ScalarType.Float32);
        if (notFloat32.Module is not null)
            throw new InvalidOperationException(
                $"cannot merge adapters into '{notFloat32.Name}.weight', which is {notFloat32.Module.Weight.dtype}: merging needs float32 base weights; serve the adapters side by side instead.");
        foreach (var (_, projection) in Projections())
            projection.Merge();
        AdaptersMerged = true;
    }

    /// <summary>Takes the adapters out of the weights again (W -= scale · B A); the base comes back up to float32 rounding.</summary>
    public void UnmergeAdapters()
    {
        if (!AdaptersMerged) return;
        foreach (var (_, projection) in Projections())
            projection.Unmerge();
        AdaptersMerged = false;
    }

    /// <summary>
    /// The model's weights with every adapter folded in (W + scale · B A), all float32 under Hugging Face keys and without
    /// lora keys: what an export of the trained model writes. The tensors are new; the caller disposes them.
    /// </summary>
    public Dictionary<string, Tensor> MergedStateDict()
    {
        var merged = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            var projections = Projections().ToDictionary(p => p.Name + ".weight", p => p.Module, StringComparer.Ordinal);
            using var noGrad = no_grad();
            foreach (var (name, value) in state_dict())
            {
                if (IsAdapterKey(name)) continue;
                merged.Add(name, projections.TryGetValue(name, out var projection)
                    ? projection.MergedWeight()
                    : value.detach().to_type(ScalarType.Float32).clone());
            }
        }
        catch
        {
            foreach (var tensor in merged.Values) tensor.Dispose();
            throw;
        }
        return merged;
    }

    /// <summary>True for the state_dict keys of LoRA adapter tensors.</summary>
    public static bool IsAdapterKey(string name) =>
        name.Contains(LoraAKeyPart, StringComparison.Ordinal) || name.Contains(LoraBKeyPart, StringComparison.Ordinal);

    IEnumerable<(string Name, LoraCapableLinear Module)> Projections()
    {
        foreach (var (name, module) in named_modules())
            if (module is LoraCapableLinear projection)
                yield return (name, projection);
    }

    static string ModuleLeafName(string name) => name[(name.LastIndexOf('.') + 1)..];

    void SetAdaptersActive(bool active)
    {
        foreach (var (_, projection) in Projections())
            projection.AdapterActive = active;
    }

    sealed class AdapterScope(CausalLM model) : IDisposable
    {
        bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            if (--model.adaptersDisabledDepth == 0)
                model.SetAdaptersActive(true);
        }
    }
}
