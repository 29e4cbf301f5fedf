using Grpo.Abstractions.Contracts;
using Grpo.Core.Checkpoints;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Rollout;

/// <summary>
/// What an engine does with requests left over from a lost learner: after a restore from a checkpoint the learner starts
/// a new lineage at an older version, and requests for the old lineage or for versions it has not reached must fail
/// quickly instead of holding up the requests of the restored run.
/// </summary>
public sealed class RolloutEngineLineageTests
{
    const string Run = "lineage-run";

    static RolloutEngine Engine(IWeightSource source, TimeSpan policyWait) =>
        new(source, new RunAssetsCache(), new RolloutEngineOptions { WorkerName = "lineage-torch", PolicyWaitLimit = policyWait });

    [Fact]
    public async Task After_a_restore_the_engine_loads_the_new_lineage_serves_its_requests_and_fails_the_lost_learners()
    {
        // A batch window, so the two requests below share one batch.
        var config = TinyPolicy.Config with { TopK = 1, RolloutBatchWaitMs = 200 };
        var lostImage = TinyPolicy.Image(seed: 1);
        var restoredImage = TinyPolicy.Image(seed: 2);
        var lost = LearnerLineage.New();
        var restored = LearnerLineage.New();
        var source = new FakeWeightSource { Lineage = lost };
        source.Publish(Run, 8, lostImage);
        await using var engine = Engine(source, TimeSpan.FromSeconds(30));
        var before = await engine.GenerateAsync(Run, config, TinyPolicy.Prompt(0), 8, lost, CancellationToken.None);
        Assert.Equal((8, lost), (before.PolicyVersion, before.Lineage));

        // The learner is restored from its step-5 checkpoint under a new lineage; the lost one's version 8 is gone.
        source.Clear();
        source.Lineage = restored;
        source.Publish(Run, 5, restoredImage);
        var leftOver = engine.GenerateAsync(Run, config, TinyPolicy.Prompt(1), 8, lost, CancellationToken.None);
        var redone = engine.GenerateAsync(Run, config, TinyPolicy.Prompt(2), 4, restored, CancellationToken.None);

        var output = await redone.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal((5, restored), (output.PolicyVersion, output.Lineage));
        Assert.Equal(TinyPolicy.DirectGreedy(restoredImage, [TinyPolicy.Prompt(2)], config)[0].Tokens, output.Tokens);
        var refused = await Assert.ThrowsAsync<PolicyUnavailableException>(() => leftOver.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains($"lineage {lost}", refused.Message);
        Assert.Equal(5, engine.LoadedVersion(Run));
    }

    [Fact]
    public async Task A_request_for_a_version_never_published_fails_after_the_wait_limit_while_its_batch_mates_are_served()
    {
        var source = new InMemoryWeightSource();
        source.Publish(Run, 3, WeightImage.Copy(TinyPolicy.Image(seed: 1), 50_000));
        await using var engine = Engine(source, TimeSpan.FromMilliseconds(300));
        var config = TinyPolicy.Config with { RolloutBatchWaitMs = 200 };

        // Both arrive within one batch window, so they share a batch whose pull asks for version 9.
        var impossible = engine.GenerateAsync(Run, config, TinyPolicy.Prompt(0), 9, CancellationToken.None);
        var possible = engine.GenerateAsync(Run, config, TinyPolicy.Prompt(1), 2, CancellationToken.None);

        Assert.Equal(3, (await possible.WaitAsync(TimeSpan.FromSeconds(20))).PolicyVersion);
        var refused = await Assert.ThrowsAsync<PolicyUnavailableException>(() => impossible.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("needs policy version 9 or newer, but the learner's newest is 3", refused.Message);
    }

    [Fact]
    public async Task A_request_of_the_loaded_lineage_and_version_pulls_nothing()
    {
        var only = LearnerLineage.New();
        var source = new FakeWeightSource { Lineage = only };
        source.Publish(Run, 2, TinyPolicy.Image(seed: 1));
        await using var engine = Engine(source, TimeSpan.FromSeconds(30));

        await engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 2, only, CancellationToken.None);
        await engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(1), 1, only, CancellationToken.None);

        Assert.Equal(1, source.ManifestCalls);
        Assert.Equal(1, engine.Stats.WeightPulls);
    }

    [Fact]
    public async Task The_in_memory_source_answers_the_newest_older_version_after_the_wait_and_refuses_when_nothing_was_published()
    {
        var source = new InMemoryWeightSource();
        var nothing = await Assert.ThrowsAsync<PolicyUnavailableException>(() =>
            source.GetManifestAsync(Run, 0, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.Contains($"run '{Run}'", nothing.Message);

        source.Publish(Run, 4, WeightImage.Copy([1, 2, 3], 2));
        var older = await source.GetManifestAsync(Run, 6, TimeSpan.FromMilliseconds(50), CancellationToken.None);
        Assert.Equal(4, older.Version);
    }
}
