using Orleans.Concurrency;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;

namespace Grpo.Abstractions.Grains;

// Initialisation (model build and warm-up) and a training step of a large model take far longer than Orleans'
// default 30 s response timeout; the run grain waits for them, so their calls carry a long timeout of their own.

/// <summary>
/// The run's learner (key: run id), on learner silos only: collects groups, performs the GRPO update, and publishes
/// each new policy version for the rollout silos to pull.
/// </summary>
[Alias("grpo.ILearnerGrain")]
public interface ILearnerGrain : IGrainWithStringKey
{
    /// <summary>Builds (or restores) the policy and publishes its first version; idempotent.</summary>
    [ResponseTimeout("02:00:00"), Alias("Initialize")] Task<LearnerReady> InitializeAsync(RunConfig config);

    /// <summary>Hands one scored group to the learner; a group it already holds is reported as a duplicate.</summary>
    [AlwaysInterleave, Alias("SubmitGroup")] Task<GroupSubmission> SubmitGroupAsync(ScoredGroup group);

    /// <summary>
    /// Trains on the step's groups (all <paramref name="expectedGroups"/> must be in), with advantages computed from all of
    /// their rewards at once, and publishes version v+1.
    /// </summary>
    [ResponseTimeout("02:00:00"), Alias("TrainStep")] Task<TrainedStep> TrainStepAsync(long step, int expectedGroups);

    [ResponseTimeout("02:00:00"), Alias("Evaluate")] Task<EvaluationReport> EvaluateAsync();

    /// <summary>
    /// The newest published version once it is at least <paramref name="minVersion"/>, or after <paramref name="maxWait"/>
    /// the newest there is, older or not: in a healthy run nobody asks for a version the learner is not about to have, so a
    /// caller waiting longer is one left over from a lost learner, and must not hold a rollout engine up.
    /// </summary>
    [AlwaysInterleave, Alias("GetWeightManifest")] Task<WeightManifest> GetWeightManifestAsync(long minVersion, TimeSpan maxWait);

    /// <summary>
    /// As <see cref="GetWeightManifestAsync"/>, for the rollout silo <paramref name="relay"/> (an
    /// <see cref="IWeightRelayGrain"/> key) that will serve the version's chunks to others: the answer also names the relay
    /// silos that asked for that version before, to pull from instead of the learner.
    /// </summary>
    [AlwaysInterleave, Alias("GetWeightPullOffer")] Task<WeightPullOffer> GetWeightPullOfferAsync(long minVersion, TimeSpan maxWait, string relay);

    [AlwaysInterleave, Alias("GetWeightChunk")] Task<byte[]> GetWeightChunkAsync(long version, int chunkIndex);

    /// <summary>The long action the learner is busy with (warm-up, evaluation, checkpoint write), or null.</summary>
    [AlwaysInterleave, Alias("GetActivity")] Task<LearnerActivity?> GetActivityAsync();

    /// <summary>
    /// Where a run continues if it resumes now: the live policy when this learner holds the run, else the newest
    /// checkpoint that passes checksum verification, with the newer ones passed over. Reads files, so it is not free.
    /// </summary>
    [AlwaysInterleave, Alias("GetResumePoint")] Task<LearnerResumePoint> GetResumePointAsync();

    /// <summary>
    /// The lineage of this activation's policy (see <see cref="LearnerLineage"/>), or null while nobody initialised it:
    /// the run polls it to find out quickly that its learner was lost or replaced.
    /// </summary>
    [AlwaysInterleave, Alias("GetLineage")] Task<LearnerLineage?> GetLineageAsync();
}
