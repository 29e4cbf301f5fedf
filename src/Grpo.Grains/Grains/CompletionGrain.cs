using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Core.Generation;
using Grpo.Core.Rewards;
using Grpo.Grains.Placement;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using Grpo.Grains.Telemetry;
using Orleans.Runtime;

namespace Grpo.Grains;

/// <summary>
/// One completion (key run/step/prompt/sample), on rollout silos only: asks the silo's <see cref="RolloutEngine"/> for
/// a completion from at least the requested policy version, decodes and scores it, keeping each reward component's score.
/// </summary>
[RolloutSiloPlacement]
public sealed class CompletionGrain(RolloutEngine engine, RunAssetsCache assets, ILocalSiloDetails localSilo) : Grain, ICompletionGrain
{
    // A retried call (the caller timed out, the answer was lost) gets the same completion rather than a second sample.
    CompletionResult? result;

    public async Task<CompletionResult> GenerateAsync(CompletionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Reused only for the same learner lineage: after a restore the step is sampled afresh from the restored policy.
        if (result is not null && request.Lineage.Accepts(result.Lineage)) return result;

        var run = assets.Get(request.RunId, request.Config);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(request.Config.CompletionTimeoutSeconds));
        RolloutOutput output;
        try
        {
            output = await engine.GenerateAsync(request.RunId, request.Config, request.PromptTokens, request.MinPolicyVersion, request.Lineage, request.Coordinates, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // A timeout, not a cancellation: the caller retries it, and a run whose step keeps timing out re-initialises its
            // learner (a lost learner silo leaves the engine waiting for weights) instead of failing as if someone stopped it.
            throw new TimeoutException(
                $"run '{request.RunId}': the rollout engine on silo {localSilo.SiloAddress} did not finish completion {this.GetPrimaryKeyString()} " +
                $"within completion_timeout_seconds = {request.Config.CompletionTimeoutSeconds} s.");
        }
        var text = run.Codec.DecodeCompletion(output.Tokens);
        var scoreStart = System.Diagnostics.Stopwatch.GetTimestamp();
        var reward = await RewardScoring.ScoreAsync(run.Reward, new RewardInput(request.Prompt, text, request.Answer, request.Metadata));
        GrpoMetrics.RecordPhase(request.RunId, GrpoMetrics.Phases.Score, scoreStart);
        result = new CompletionResult(this.GetPrimaryKeyString(), output.Tokens, output.LogProbs, output.PolicyVersion, reward.Total,
            output.FinishReason == FinishReason.Length, text, localSilo.SiloAddress.ToString())
        {
            Lineage = output.Lineage,
            RewardComponents = reward.Scores,
            TokenVersions = [.. output.Versions.Select(span => new PolicyVersionSpan(span.Version, span.Tokens))],
            FinishReason = FinishReasonText(output.FinishReason),
        };
        // The prompt grain keeps the result; holding the activation any longer only costs memory.
        DeactivateOnIdle();
        return result;
    }

    static string FinishReasonText(FinishReason reason) => reason switch
    {
        FinishReason.Eos => "eos",
        FinishReason.StopString => "stop_string",
        FinishReason.Length => "length",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "not a finish reason the sample ledger knows"),
    };
}
