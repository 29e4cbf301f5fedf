using System.Diagnostics;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Core.Algorithm;
using Grpo.Core.Training;
using Grpo.Grains.Learning;
using Grpo.Grains.Placement;
using Grpo.Grains.Runs;
using Microsoft.Extensions.Logging;

namespace Grpo.Grains;

/// <summary>
/// The run's learner, on a learner silo: collects the step's groups (ignoring any it already has), performs the
/// clipped GRPO update with the KL penalty, and publishes each new policy version for rollout silos to pull.
/// </summary>
[LearnerSiloPlacement]
public sealed class LearnerGrain(ILogger<LearnerGrain> logger, RunAssetsCache assetsCache) : Grain, ILearnerGrain
{
    readonly Dictionary<long, Dictionary<string, ScoredGroup>> pending = new();
    readonly Dictionary<long, StepMetrics> trained = new();
    RunConfig? config;
    RunAssets? assets;
    LearnerEngine? engine;
    WeightPublication? publication;
    LearnerReady? ready;
    Task<LearnerReady>? initializing;

    long Version => trained.Count;

    public Task<LearnerReady> InitializeAsync(RunConfig runConfig)
    {
        if (config is not null && !Equals(config, runConfig))
            throw new InvalidOperationException($"learner of run {this.GetPrimaryKeyString()} was initialised with another configuration.");
        config = runConfig;
        return initializing ??= InitializeCoreAsync(runConfig);
    }

    async Task<LearnerReady> InitializeCoreAsync(RunConfig runConfig)
    {
        var runId = this.GetPrimaryKeyString();
        // The policy lives in this activation's memory: it must not be collected while the run goes on.
        DelayDeactivation(TimeSpan.FromDays(30));
        assets = assetsCache.Get(runId, runConfig);
        publication = new WeightPublication(runConfig.WeightChunkBytes, keepVersions: runConfig.MaxStaleness + 2);
        var clock = Stopwatch.StartNew();
        engine = await LearnerEngine.CreateAsync(assets, runId);
        publication.Publish(0, await engine.SnapshotAsync());
        var baseline = await engine.EvaluateAsync();
        logger.LogInformation("Learner of run {Run} ready in {Seconds:F1}s: {Parameters} parameters, baseline accuracy {Accuracy:P1}.",
            runId, clock.Elapsed.TotalSeconds, engine.ParameterCount, baseline.Accuracy);
        ready = new LearnerReady(0, 0, baseline.Accuracy, engine.ParameterCount);
        return ready;
    }

    public Task<GroupSubmission> SubmitGroupAsync(ScoredGroup group)
    {
        var runConfig = config ?? throw new InvalidOperationException("the learner has not been initialised.");
        if (group.Completions.Length != runConfig.GroupSize)
            throw new ArgumentException($"group {group.GroupId} has {group.Completions.Length} completions, the run's group size is {runConfig.GroupSize}.");
        if (trained.ContainsKey(group.Step) || pending.TryGetValue(group.Step, out var groups) && groups.ContainsKey(group.GroupId))
            return Task.FromResult(new GroupSubmission(GroupAcceptance.Duplicate, Version));
        if (group.Completions.Any(c => c.PolicyVersion < Version - runConfig.MaxStaleness))
            return Task.FromResult(new GroupSubmission(GroupAcceptance.Stale, Version));
        if (!pending.TryGetValue(group.Step, out groups)) pending[group.Step] = groups = new Dictionary<string, ScoredGroup>();
        groups[group.GroupId] = group;
        return Task.FromResult(new GroupSubmission(GroupAcceptance.Accepted, Version));
    }

    public async Task<StepMetrics> TrainStepAsync(long step, int expectedGroups)
    {
        if (trained.TryGetValue(step, out var done)) return done;
        var runConfig = config ?? throw new InvalidOperationException("the learner has not been initialised.");
        if (step != Version)
            throw new InvalidOperationException($"run {this.GetPrimaryKeyString()}: asked to train step {step}, but the policy is at version {Version}.");
        var groups = pending.TryGetValue(step, out var stepGroups) ? stepGroups.Values.OrderBy(g => g.PromptIndex).ToArray() : [];
        if (groups.Length != expectedGroups)
            throw new InvalidOperationException($"run {this.GetPrimaryKeyString()}: step {step} has {groups.Length} of {expectedGroups} groups.");
        // Staleness is judged against the version being trained: a group accepted earlier may have aged since.
        var staleness = groups.SelectMany(g => g.Completions).Max(c => Version - c.PolicyVersion);
        if (staleness > runConfig.MaxStaleness)
            throw new InvalidOperationException($"run {this.GetPrimaryKeyString()}: step {step} holds a completion {staleness} versions old (max_staleness {runConfig.MaxStaleness}).");

        var samples = Samples(groups, runConfig);
        var clock = Stopwatch.StartNew();
        var result = await engine!.TrainAsync(samples);
        var trainSeconds = clock.Elapsed.TotalSeconds;
        publication!.Publish(step + 1, await engine.SnapshotAsync());
        pending.Remove(step);
        var metrics = new StepMetrics
        {
            Step = step,
            PolicyVersion = step + 1,
            Loss = result.Loss,
            MeanKl = result.MeanKl,
            ClipFraction = result.ClipFraction,
            RatioMin = result.RatioMin,
            RatioMax = result.RatioMax,
            GradNorm = result.GradNorm,
            LearningRate = result.LearningRate,
            MeanCompletionLength = result.MeanCompletionLength,
            Completions = samples.Length,
            TrainSeconds = trainSeconds,
            MaxStaleness = staleness,
        };
        trained[step] = metrics;
        return metrics;
    }

    static CompletionSample[] Samples(ScoredGroup[] groups, RunConfig runConfig)
    {
        var advantages = groups.SelectMany(g => g.Advantages).ToArray();
        if (RunOptions.Scale(runConfig) == ScaleRewards.Batch)
            advantages = GroupAdvantages.Compute(groups.SelectMany(g => g.Completions.Select(c => c.Reward)).ToArray(),
                runConfig.GroupSize, ScaleRewards.Batch).Advantages;
        var completions = groups.SelectMany(g => g.Completions.Select(c => (g.PromptTokens, Completion: c))).ToArray();
        return completions.Select((c, i) => new CompletionSample(
            c.PromptTokens, c.Completion.Tokens, c.Completion.LogProbs, advantages[i], c.Completion.Truncated, c.Completion.PolicyVersion)).ToArray();
    }

    public async Task<EvaluationReport> EvaluateAsync()
    {
        var result = await (engine ?? throw new InvalidOperationException("the learner has not been initialised.")).EvaluateAsync();
        return new EvaluationReport(Version, result.Correct, result.Total, result.MeanReward);
    }

    public async Task<WeightManifest> GetWeightManifestAsync(long minVersion)
    {
        // Rollout silos may ask before initialisation has published anything: wait for it rather than fail.
        while (publication is null) await Task.Delay(50);
        return await publication.WaitForAsync(minVersion, CancellationToken.None);
    }

    public Task<byte[]> GetWeightChunkAsync(long version, int chunkIndex) =>
        Task.FromResult((publication ?? throw new InvalidOperationException("no policy version has been published yet.")).Chunk(version, chunkIndex));

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (engine is not null) await engine.DisposeAsync();
    }
}
