using Grpo.Abstractions.Configuration;
using Grpo.Core.Generation;

namespace Grpo.Grains.Rollout;

/// <summary>
/// The run a <see cref="RolloutEngine"/> is decoding for: its policy, the continuous batcher over the policy's model and
/// the requests in the batcher. Touched by the engine's loop; the batcher itself only on the torch thread.
/// </summary>
internal sealed class ServingRun(string runId, RunConfig config, RunPolicy policy, ContinuousBatcher batcher)
{
    readonly Dictionary<DecodeRequest, PendingRollout> inFlight = new(ReferenceEqualityComparer.Instance);

    public string RunId { get; } = runId;
    public RunPolicy Policy { get; } = policy;
    public ContinuousBatcher Batcher { get; } = batcher;

    /// <summary>Slots neither decoding nor promised to a request admitted since the last step.</summary>
    public int FreeSlots => Batcher.Slots - inFlight.Count;

    public IReadOnlyCollection<PendingRollout> InFlight => inFlight.Values;

    /// <summary>
    /// Whether <paramref name="request"/> can join the rows decoding now: same run and configuration, a version and lineage
    /// the loaded weights satisfy (no swap needed), and a prompt that fits a slot.
    /// </summary>
    public bool CanServe(PendingRollout request) =>
        request.RunId == RunId && request.Config == config && request.MinPolicyVersion <= Policy.Version &&
        request.Lineage.Accepts(Policy.Lineage) && request.PromptTokens.Length <= Batcher.MaxPromptTokens;

    /// <summary>Rows may switch to a newer version of the policy while decoding (partial_rollouts in async mode).</summary>
    public bool PartialRollouts => config.PartialRollouts && config.MaxStaleness > 0;

    /// <summary>
    /// Whether <paramref name="request"/> could join the rows decoding now if the weights were a newer version of the same
    /// lineage: with partial rollouts that is a reason to pull the version and switch the rows to it instead of draining them.
    /// </summary>
    public bool WantsNewerWeights(PendingRollout request) =>
        PartialRollouts && request.RunId == RunId && request.Config == config && request.MinPolicyVersion > Policy.Version &&
        request.Lineage.Accepts(Policy.Lineage) && request.PromptTokens.Length <= Batcher.MaxPromptTokens;

    /// <summary>The pull of a newer version started while the rows decode, and the version it was started for.</summary>
    public (Task<PulledWeights?> Pull, long Needed)? Switch { get; set; }

    /// <summary>The newest version a pull was started for in this round: a pull that fell short is not retried for it.</summary>
    public long SwitchAttempted { get; set; } = -1;

    /// <summary>The decode requests for <paramref name="requests"/>, recorded as in flight; the caller enqueues them on the torch thread.</summary>
    public DecodeRequest[] Admit(IReadOnlyList<PendingRollout> requests)
    {
        var decodes = new DecodeRequest[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            decodes[i] = new DecodeRequest(requests[i].PromptTokens, requests[i].SampleKey);
            inFlight[decodes[i]] = requests[i];
        }
        return decodes;
    }

    /// <summary>The caller's request of a finished decode, no longer in flight.</summary>
    public PendingRollout Finish(DecodeRequest decode)
    {
        var request = inFlight[decode];
        inFlight.Remove(decode);
        return request;
    }
}
