using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Learning;
using Grpo.Grains.Resilience;
using Grpo.Grains.Steps;
using Orleans.Runtime;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// A step the learner refuses in its own words (a plain InvalidOperationException) is a lost learner when the learner
/// was replaced meanwhile, so the run redoes the step from the new learner's checkpoint; with the learner unchanged the
/// refusal stands and fails the run.
/// </summary>
public sealed class LearnerWatchTests
{
    static readonly LearnerLineage Initialised = LearnerLineage.New();

    static Task<TrainedStep> Refused() =>
        Task.FromException<TrainedStep>(new InvalidOperationException("run r1: asked to train step 7, but the policy is at version 5."));

    [Fact]
    public async Task A_step_refused_by_a_learner_restored_meanwhile_is_a_lost_learner()
    {
        var learner = new LearnerIdentity { Lineage = LearnerLineage.New() };

        var lost = await Assert.ThrowsAsync<LearnerLostException>(() => new LearnerWatch("r1", learner, Initialised).WhileLearnerLivesAsync(Refused()));

        Assert.Contains("the learner was replaced", lost.Message);
        Assert.Contains("asked to train step 7, but the policy is at version 5", lost.Message);
        Assert.True(RunFailures.IsLostLearner(lost));
    }

    [Fact]
    public async Task A_step_refused_by_a_fresh_uninitialised_activation_is_a_lost_learner()
    {
        var learner = new LearnerIdentity { Lineage = null };

        var lost = await Assert.ThrowsAsync<LearnerLostException>(() => new LearnerWatch("r1", learner, Initialised).WhileLearnerLivesAsync(Refused()));

        Assert.Contains("the learner's activation was lost", lost.Message);
    }

    [Fact]
    public async Task A_step_refused_by_a_learner_that_no_longer_answers_is_a_lost_learner()
    {
        var learner = new LearnerIdentity { Unreachable = true };

        var lost = await Assert.ThrowsAsync<LearnerLostException>(() => new LearnerWatch("r1", learner, Initialised).WhileLearnerLivesAsync(Refused()));

        Assert.Contains("the learner did not answer", lost.Message);
    }

    [Fact]
    public async Task A_step_refused_by_the_learner_the_loop_initialised_fails_as_it_was_refused()
    {
        var learner = new LearnerIdentity { Lineage = Initialised };

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => new LearnerWatch("r1", learner, Initialised).WhileLearnerLivesAsync(Refused()));

        Assert.Equal("run r1: asked to train step 7, but the policy is at version 5.", refused.Message);
        Assert.False(RunFailures.IsLostLearner(refused));
    }

    /// <summary>A learner reference that only answers which activation it is, as the watch asks; any other call is a test error.</summary>
    sealed class LearnerIdentity : ILearnerGrain
    {
        public LearnerLineage? Lineage { get; init; }

        public bool Unreachable { get; init; }

        public Task<LearnerLineage?> GetLineageAsync() =>
            Unreachable ? Task.FromException<LearnerLineage?>(new SiloUnavailableException("the learner's silo is dead")) : Task.FromResult(Lineage);

        public Task<LearnerReady> InitializeAsync(RunConfig config) => throw new NotSupportedException();

        public Task<GroupSubmission> SubmitGroupAsync(ScoredGroup group) => throw new NotSupportedException();

        public Task<TrainedStep> TrainStepAsync(long step, int expectedGroups) => throw new NotSupportedException();

        public Task<EvaluationReport> EvaluateAsync() => throw new NotSupportedException();

        public Task<WeightManifest> GetWeightManifestAsync(long minVersion, TimeSpan maxWait) => throw new NotSupportedException();

        public Task<byte[]> GetWeightChunkAsync(long version, int chunkIndex) => throw new NotSupportedException();

        public Task<WeightPullOffer> GetWeightPullOfferAsync(long minVersion, TimeSpan maxWait, string relay) => throw new NotSupportedException();

        public Task<LearnerActivity?> GetActivityAsync() => throw new NotSupportedException();

        public Task<LearnerResumePoint> GetResumePointAsync() => throw new NotSupportedException();
    }
}
