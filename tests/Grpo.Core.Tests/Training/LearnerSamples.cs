using Grpo.Core.Model;
using Grpo.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Training;

/// <summary>Tiny models and completions of mixed lengths scored under them, for the learner's tests.</summary>
internal static class LearnerSamples
{
    public const int Vocab = 20;

    public static CausalLM TinyModel(int seed)
    {
        torch.manual_seed(seed);
        return new CausalLM(ModelPresets.Tiny(Vocab));
    }

    /// <summary>
    /// Completions of the given prompt and completion lengths with their log-probs under <paramref name="model"/>
    /// (scored in one batch), shifted by <paramref name="offPolicy"/>[i] so the ratio is exp(offPolicy[i]) at the start.
    /// </summary>
    public static CompletionSample[] Scored(
        CausalLM model, int[] promptLengths, int[] completionLengths, float[] advantages, float[]? offPolicy = null, bool[]? truncated = null)
    {
        var prompts = promptLengths.Select((length, i) => Enumerable.Range(0, length).Select(t => 3 + (i * 5 + t * 3) % (Vocab - 3)).ToArray()).ToArray();
        var completions = completionLengths.Select((length, i) => Enumerable.Range(0, length).Select(t => 2 + (i * 7 + t * 5) % (Vocab - 2)).ToArray()).ToArray();
        using var noGrad = no_grad();
        var (logProbs, _) = SequenceLogProbs.Completions(model, prompts, completions, 1f, 0);
        return advantages.Select((advantage, i) => new CompletionSample(
            prompts[i],
            completions[i],
            logProbs[i].data<float>().Take(completions[i].Length).Select(l => l - (offPolicy?[i] ?? 0f)).ToArray(),
            advantage,
            truncated?[i] ?? false,
            0)).ToArray();
    }

    public static float[] Weights(CausalLM model) =>
        model.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray();

    public static float[] Gradients(CausalLM model) =>
        model.parameters().SelectMany(p => p.grad is { } grad ? grad.flatten().data<float>().ToArray() : new float[p.numel()]).ToArray();

    public static Dictionary<string, float[]> OptimizerState(AdamW optimizer)
    {
        var state = optimizer.StateTensors();
        try
        {
            return state.ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32).flatten().data<float>().ToArray());
        }
        finally
        {
            foreach (var tensor in state.Values) tensor.Dispose();
        }
    }
}
