using Grpo.Core.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Training;

/// <summary>
/// Supervised fine-tuning on (prompt, target) token pairs: mean negative log-likelihood of the target tokens only.
/// The demo uses it as the short warm-up that gives GRPO a policy with some reward to work from.
/// </summary>
public sealed class SupervisedTrainer(CausalLM model, LearningRateSchedule schedule, AdamWOptions optimizerOptions, double maxGradNorm, int padTokenId)
    : IDisposable
{
    readonly AdamW optimizer = new(model.named_parameters().Select(p => (p.name, p.parameter)), optimizerOptions);

    public long Steps => optimizer.Step;

    /// <returns>The mean target-token loss before the update.</returns>
    public float Step(IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> targets)
    {
        if (prompts.Count != targets.Count || prompts.Count == 0)
            throw new ArgumentException($"supervised step needs as many targets as prompts (got {prompts.Count} and {targets.Count}), at least one.");
        using var scope = NewDisposeScope();
        var (logProbs, mask) = SequenceLogProbs.Completions(model, prompts, targets, 1f, padTokenId);
        var loss = -(logProbs * mask).sum() / mask.sum().clamp_min(1);
        optimizer.ZeroGrad();
        loss.backward();
        if (maxGradNorm > 0) nn.utils.clip_grad_norm_(optimizer.Parameters, maxGradNorm);
        optimizer.Update(schedule.At(optimizer.Step));
        optimizer.ZeroGrad();
        return loss.item<float>();
    }

    public void Dispose() => optimizer.Dispose();
}
