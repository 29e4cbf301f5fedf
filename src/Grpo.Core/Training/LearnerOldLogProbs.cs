using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace Grpo.Core.Training;

/// <summary>
/// The learner's log-probs of the policy that sampled each completion of one step (π_learner_old), by completion. With
/// <see cref="OldLogProbSource.Recompute"/> they are filled before the first update; otherwise each completion's are
/// taken, detached, from the forward pass of its first update in the step, so they cost no extra pass: exact for the
/// first minibatch, and for a later minibatch of the first pass the policy of the earlier updates of the step.
/// </summary>
internal sealed class LearnerOldLogProbs
{
    readonly ConditionalWeakTable<CompletionSample, float[]> rows = new();

    public bool Has(IEnumerable<CompletionSample> samples) => samples.All(sample => rows.TryGetValue(sample, out _));

    /// <summary>[samples, width] of the remembered rows, zero-padded; every sample must have been remembered.</summary>
    public Tensor Padded(CompletionSample[] samples, int width) =>
        LogProbRows.Padded(samples.Select(sample => rows.TryGetValue(sample, out var row)
            ? row
            : throw new InvalidOperationException("a completion's learner log-probs were asked for before they were computed.")).ToArray(), width);

    /// <summary>Remembers row i of <paramref name="logProbs"/> ([samples, tokens]) for sample i, cut to its completion's length.</summary>
    public void Remember(CompletionSample[] samples, Tensor logProbs)
    {
        // detach() makes a new handle first, so this scope never frees the caller's tensor.
        using var scope = NewDisposeScope();
        var values = logProbs.detach().to_type(ScalarType.Float32).cpu().contiguous();
        var flat = values.data<float>().ToArray();
        var width = (int)values.shape[1];
        for (var i = 0; i < samples.Length; i++)
            rows.AddOrUpdate(samples[i], flat.AsSpan(i * width, samples[i].CompletionTokens.Length).ToArray());
    }
}
