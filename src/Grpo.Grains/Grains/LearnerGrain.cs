using System.Diagnostics;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Core.Checkpoints;
using Grpo.Core.Runtime;
using Grpo.Core.Training;
using Grpo.Grains.Ledger;
using Grpo.Grains.Learning;
using Grpo.Grains.Placement;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using Grpo.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace Grpo.Grains;

/// <summary>
/// The run's learner, on a learner silo: collects the step's groups (ignoring any it already has), performs the
/// clipped GRPO update with the KL penalty, and publishes each new policy version for rollout silos to pull.
/// With checkpoint_every = N it writes a checkpoint after every N-th step; an activation that finds one (its silo
/// died) continues from it instead of starting over.
/// </summary>
[LearnerSiloPlacement]
public sealed partial class LearnerGrain(
    ILogger<LearnerGrain> logger, RunAssetsCache assetsCache, LearnerCheckpointOptions checkpoints, ComputeDevice device,
    SampleLedger sampleLedger, SiloPublications? colocated = null) : Grain, ILearnerGrain
{
    const string ReferenceFileName = "reference.safetensors";

    readonly Dictionary<long, Dictionary<string, ScoredGroup>> pending = new();
    readonly Dictionary<long, TrainedStep> trained = new();
    RunConfig? config;
    RunAssets? assets;
    LearnerEngine? engine;
    WeightPublication? publication;
    LearnerReady? ready;
    Task<LearnerReady>? initializing;
    string? checkpointRoot;
    string? fingerprint;
    LearnerLineage? lineage;
    (string Path, long Step)? latestCheckpoint;
    CheckpointChoice? checkpointChoice;
    RunSampleLedger? ledger;
    // The SHA-256 of each image this lineage published and a completion may still have been sampled from (max_staleness).
    readonly Dictionary<long, string> publishedSha256 = new();

    /// <summary>Steps trained so far, including those restored from a checkpoint.</summary>
    long Version { get; set; }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // One line per activation, naming the silo: a learner activated again although its silo lives is a duplicate.
        logger.LogInformation("Learner of run {Run} activated on silo {Silo}.", this.GetPrimaryKeyString(), RuntimeIdentity);
        return Task.CompletedTask;
    }

    public async Task<LearnerReady> InitializeAsync(RunConfig runConfig)
    {
        if (config is not null && !Equals(config, runConfig))
            throw new InvalidOperationException($"learner of run {this.GetPrimaryKeyString()} was initialised with another configuration.");
        config = runConfig;
        // A failed start (an unreadable checkpoint, say) is tried again once the run is resumed, not replayed.
        if (initializing is { IsFaulted: true })
        {
            initializing = null;
            if (engine is not null) await engine.DisposeAsync();
            engine = null;
        }
        var initial = await (initializing ??= InitializeCoreAsync(runConfig));
        // A run that continues against this live learner (resumed after a stop, or its run grain re-activated) goes
        // on from the steps trained since start-up, not from where the learner started.
        return initial with
        {
            PolicyVersion = Version, CompletedSteps = Version, Lineage = lineage!.Value, Checkpoint = latestCheckpoint?.Path, CheckpointStep = latestCheckpoint?.Step,
            CheckpointWarning = checkpointChoice?.Warning,
        };
    }

    async Task<LearnerReady> InitializeCoreAsync(RunConfig runConfig)
    {
        var runId = this.GetPrimaryKeyString();
        // The policy lives in this activation's memory: it must not be collected while the run goes on.
        DelayDeactivation(TimeSpan.FromDays(30));
        if (runConfig.SampleLedger) ledger ??= sampleLedger.Open(runId, runConfig.SampleLedgerBufferRows, RuntimeIdentity);
        assets = assetsCache.Get(runId, runConfig);
        checkpointRoot = checkpoints.RunDirectory(runId);
        fingerprint = ConfigFingerprint.Compute(runConfig);
        // A new lineage for every build or restore: see LearnerLineage.
        var drawn = LearnerLineage.New();
        lineage = drawn;
        publishedSha256.Clear();
        if (publication is not null) colocated?.Unregister(runId, publication);
        publication = new WeightPublication(drawn);
        colocated?.Register(runId, publication);
        var clock = Stopwatch.StartNew();
        var root = checkpointRoot;
        var choice = checkpointChoice = await Doing("verifying checkpoint checksums", () => Task.Run(() => TrainingCheckpoint.ChooseNewest(root)));
        foreach (var rejected in choice.Rejected)
            logger.LogWarning("Run {Run}: {Rejected}; it is passed over.", runId, rejected);
        if (choice.OnlyBadCheckpoints)
            throw new InvalidDataException($"run {runId}: {choice.Refusal(checkpointRoot)}.");
        if (choice.Path is { } latest)
            return ready = await Doing($"restoring checkpoint {latest}", () => RestoreAsync(runId, latest, clock));

        engine = await Doing("building the policy", () => LearnerEngine.CreateAsync(assets, runId, device.ToTorch(), WarmupProgress(runConfig)));
        if (runConfig.CheckpointEvery > 0)
            await Doing("saving the reference policy", () => engine.SaveReferenceAsync(Path.Combine(checkpointRoot, ReferenceFileName)));
        await PublishAsync(0);
        var baseline = await Doing("baseline evaluation", engine.EvaluateAsync);
        logger.LogInformation("Learner of run {Run} ready in {Seconds:F1}s: {Parameters} parameters, baseline accuracy {Accuracy:P1}.",
            runId, clock.Elapsed.TotalSeconds, engine.ParameterCount, baseline.Accuracy);
        ready = new LearnerReady(0, 0, baseline.Accuracy, engine.ParameterCount);
        return ready;
    }

    async Task<LearnerReady> RestoreAsync(string runId, string checkpoint, Stopwatch clock)
    {
        (engine, var state) = await LearnerEngine.RestoreAsync(assets!, runId, device.ToTorch(), checkpoint, Path.Combine(checkpointRoot!, ReferenceFileName));
        LearnerCheckpointExtra.Verify(state.Extra, checkpoint, runId, fingerprint!);
        Version = state.Step;
        latestCheckpoint = (checkpoint, state.Step);
        // The run grain may not have recorded the checkpoint's last step before the learner was lost; it can ask again.
        if (LearnerCheckpointExtra.ReadLastStep(state.Extra, checkpoint) is { } lastStep && lastStep.Step == state.Step - 1)
            trained[lastStep.Step] = new TrainedStep(lastStep, Samples: []);
        await PublishAsync(Version);
        var baseline = LearnerCheckpointExtra.ReadBaseline(state.Extra);
        logger.LogWarning("Learner of run {Run} restored from checkpoint {Checkpoint} at step {Step} in {Seconds:F1}s{Skipped}.",
            runId, checkpoint, state.Step, clock.Elapsed.TotalSeconds, checkpointChoice is { Rejected.Count: > 0 } c ? $", passing over {c.Rejected.Count} newer checkpoint(s) that failed verification" : "");
        return new LearnerReady(Version, state.Step, baseline, engine.ParameterCount);
    }

    public Task<GroupSubmission> SubmitGroupAsync(ScoredGroup group)
    {
        var runConfig = config ?? throw new LearnerNotInitializedException(this.GetPrimaryKeyString());
        if (group.Completions.Length != runConfig.GroupSize)
            throw new ArgumentException($"group {group.GroupId} has {group.Completions.Length} completions, the run's group size is {runConfig.GroupSize}.");
        TokenVersionMix.Check(group);
        if (group.Step < Version || trained.ContainsKey(group.Step) || pending.TryGetValue(group.Step, out var groups) && groups.ContainsKey(group.GroupId))
            return Task.FromResult(new GroupSubmission(GroupAcceptance.Duplicate, Version));
        if (lineage is not { } own || group.Completions.Any(c => !own.Accepts(c.Lineage)))
            return Task.FromResult(new GroupSubmission(GroupAcceptance.OtherLineage, Version));
        if (group.Completions.Any(c => c.PolicyVersion < Version - runConfig.MaxStaleness))
            return Task.FromResult(new GroupSubmission(GroupAcceptance.Stale, Version));
        if (!pending.TryGetValue(group.Step, out groups)) pending[group.Step] = groups = new Dictionary<string, ScoredGroup>();
        groups[group.GroupId] = group;
        return Task.FromResult(new GroupSubmission(GroupAcceptance.Accepted, Version));
    }

    public async Task<TrainedStep> TrainStepAsync(long step, int expectedGroups)
    {
        if (trained.TryGetValue(step, out var done)) return done;
        var runConfig = config ?? throw new LearnerNotInitializedException(this.GetPrimaryKeyString());
        if (step != Version)
            throw new InvalidOperationException($"run {this.GetPrimaryKeyString()}: asked to train step {step}, but the policy is at version {Version}.");
        var groups = pending.TryGetValue(step, out var stepGroups) ? stepGroups.Values.OrderBy(g => g.PromptIndex).ToArray() : [];
        if (groups.Length != expectedGroups)
            throw new InvalidOperationException($"run {this.GetPrimaryKeyString()}: step {step} has {groups.Length} of {expectedGroups} groups.");
        // Staleness is judged against the version being trained: a group accepted earlier may have aged since.
        var staleness = groups.SelectMany(g => g.Completions).Select(c => Version - c.PolicyVersion).DefaultIfEmpty(0).Max();
        if (staleness > runConfig.MaxStaleness)
            throw new InvalidOperationException($"run {this.GetPrimaryKeyString()}: step {step} holds a completion {staleness} versions old (max_staleness {runConfig.MaxStaleness}).");

        var advantages = StepAdvantages.Compute(groups, runConfig, RunOptions.Advantages(runConfig, assets!.Registries));
        var samples = Samples(groups, advantages);
        // Taken before the new version is published, while the images these completions came from are still known.
        var ledgerRows = ledger is null ? null : LedgerRows.Of(this.GetPrimaryKeyString(), step, groups, advantages, ImageSha256);
        var clock = Stopwatch.StartNew();
        // Dynamic sampling may find no group with differing rewards: nothing to learn, yet the version still advances
        // so that versions keep counting steps.
        var trainStart = Stopwatch.GetTimestamp();
        var result = samples.Length > 0 ? await TrainOrRefuseAsync(step, samples) : NoUpdate;
        var trainSeconds = clock.Elapsed.TotalSeconds;
        GrpoMetrics.RecordPhase(this.GetPrimaryKeyString(), GrpoMetrics.Phases.Train, trainStart);
        Version = step + 1;
        var publishStart = Stopwatch.GetTimestamp();
        await PublishAsync(Version);
        GrpoMetrics.RecordPhase(this.GetPrimaryKeyString(), GrpoMetrics.Phases.Publish, publishStart);
        pending.Remove(step);
        // Queued only: the ledger's writer drains it in the background, and a redone step replaces these rows.
        if (ledgerRows is not null) ledger!.Record(ledgerRows);
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
            PaddingFraction = result.PaddingFraction,
            RolloutLogProbDelta = result.RolloutLogProbDelta,
            RolloutKl = result.RolloutKl,
            RolloutCorrectedFraction = result.RolloutCorrectedFraction,
            TokensFromOlderVersionFraction = TokenVersionMix.OlderVersionFraction(groups),
            LedgerDroppedRows = ledger?.DroppedRows ?? 0,
            Completions = samples.Length,
            TrainSeconds = trainSeconds,
            MaxStaleness = staleness,
        };
        var kept = groups.Select((group, index) => (Group: group, Advantages: advantages[index]))
            .Where(g => SampleLog.Keeps(runConfig, step, g.Group.PromptIndex))
            .Select(g => SampleLog.Capture(g.Group, g.Advantages)).ToArray();
        trained[step] = new TrainedStep(metrics, kept);
        if (runConfig.CheckpointEvery > 0 && Version % runConfig.CheckpointEvery == 0)
        {
            var checkpoint = await Doing($"writing the checkpoint of step {Version}", () => SaveCheckpointAsync(runConfig, metrics));
            trained[step] = new TrainedStep(metrics with { Checkpoint = checkpoint }, kept);
        }
        if (Version == runConfig.Steps && runConfig.ExportFinalModel != "none")
        {
            // The export reads a checkpoint of the last step, exactly what a later `grpo export` would read.
            if (latestCheckpoint?.Step != Version)
            {
                var checkpoint = await Doing($"writing the checkpoint of step {Version}", () => SaveCheckpointAsync(runConfig, metrics));
                trained[step] = new TrainedStep(metrics with { Checkpoint = checkpoint }, kept);
            }
            await Doing("exporting the final model", () => ExportFinalModelAsync(runConfig, latestCheckpoint!.Value.Path));
        }
        return trained[step];
    }

    /// <summary>
    /// A NaN or infinite loss or gradient leaves the policy as it was and fails the run, naming the step, before
    /// anything is published or checkpointed; a resume would meet the same numbers, so the failure is not resumable.
    /// The error travels as an InvalidOperationException, a type every silo and client deserialises.
    /// </summary>
    async Task<LearnerStepResult> TrainOrRefuseAsync(long step, CompletionSample[] samples)
    {
        try
        {
            return await engine!.TrainAsync(samples);
        }
        catch (NonFiniteTrainingException e)
        {
            throw new InvalidOperationException($"run {this.GetPrimaryKeyString()}: step {step} was not trained: {e.Message}");
        }
    }

    /// <summary>Released image bytes from which a blocking collection pays for itself (the 50M preset's image is 212 MB).</summary>
    const long CollectAfterReleasingBytes = 64L << 20;

    /// <summary>
    /// Publishes the policy as <paramref name="version"/>: in bfloat16 when rollouts compute in bfloat16, since they round
    /// every value to it on load anyway and the image (one is held per version still wanted) is half the size.
    /// </summary>
    async Task PublishAsync(long version)
    {
        // The policy has changed since the last image: unless a rollout silo is still pulling it, it can go before the
        // new one is captured, so two full images never meet at the peak.
        // The released image is garbage in the large object heap; collected only when the GC next sees fit, it would
        // still be resident while the new one is filled. A blocking collection that returns it to the system first
        // costs little next to a step that moves that many bytes. A small image is not worth one: a full compacting
        // collection of a silo's heap takes milliseconds and empties the runtime's buffer pools, every step.
        if (publication!.ReleaseIdle() >= CollectAfterReleasingBytes) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var imageType = config!.ComputeDtype == "bfloat16" ? TorchSharp.torch.ScalarType.BFloat16 : TorchSharp.torch.ScalarType.Float32;
        var image = await engine!.SnapshotAsync(config.WeightChunkBytes, imageType);
        var manifest = publication!.Publish(version, image);
        GrpoMetrics.RecordPublication(this.GetPrimaryKeyString(), manifest.TotalBytes);
        publishedSha256[version] = manifest.Sha256;
        foreach (var old in publishedSha256.Keys.Where(v => v < version - config.MaxStaleness).ToArray()) publishedSha256.Remove(old);
    }

    /// <summary>The SHA-256 of the image a completion was sampled from; null for weights this activation did not publish.</summary>
    string? ImageSha256(LearnerLineage sampledBy, long version) =>
        lineage is { } own && sampledBy == own && publishedSha256.TryGetValue(version, out var sha) ? sha : null;

    async Task<string> SaveCheckpointAsync(RunConfig runConfig, StepMetrics lastStep)
    {
        var runId = this.GetPrimaryKeyString();
        // A restore from this checkpoint never retrains the steps before it: their queued ledger rows must be written first.
        if (ledger is not null) await ledger.SettleBeforeCheckpointAsync();
        // The learner draws no random numbers of its own (sampling happens on rollout silos), so there is no
        // generator state to keep; the data cursor is the next step, whose prompts are a function of seed and step.
        var state = new TrainingState(Version, Version, DataCursor: Version, RngState: [],
            LearnerCheckpointExtra.Create(runId, fingerprint!, ready?.BaselineAccuracy, lastStep));
        var path = await engine!.SaveCheckpointAsync(checkpointRoot!, state, runConfig.KeepCheckpoints);
        logger.LogInformation("Run {Run}: checkpoint of step {Step} written to {Path}.", runId, Version, path);
        latestCheckpoint = (path, Version);
        return path;
    }

    /// <summary>
    /// Writes the policy of <paramref name="checkpoint"/> as a Hugging Face model directory, final-model/ beside the checkpoints.
    /// </summary>
    async Task<string> ExportFinalModelAsync(RunConfig runConfig, string checkpoint)
    {
        var dtype = runConfig.ExportFinalModel == "float32" ? HfExportDType.Float32 : HfExportDType.BFloat16;
        var output = Path.Combine(checkpointRoot!, FinalModelFolder);
        // Loading and writing a model is torch work: off the grain's scheduler, like the engine's own work.
        var result = await Task.Run(() =>
        {
            var exported = FinalModelExport.ExportFinalModel(assets!, checkpoint, output, dtype, overwrite: true);
            // Beside the checkpoints it holds the same weights, so it is as private as they are.
            PrivateFiles.Restrict(output);
            return exported;
        });
        logger.LogInformation("Run {Run}: the policy of step {Step} exported as a Hugging Face model to {Path}{Merged}.",
            this.GetPrimaryKeyString(), result.Step, output, result.MergedAdapters ? " (LoRA adapters merged)" : "");
        return output;
    }

    /// <summary>The folder under the run's checkpoint folder that <c>export_final_model</c> writes.</summary>
    public const string FinalModelFolder = "final-model";

    static readonly LearnerStepResult NoUpdate = new(0, 0, 0, 0, 0, 1, 1, 0, 0, 0, OptimizerUpdates: 0, TrainedTokens: 0, PaddingFraction: 0,
        RolloutLogProbDelta: 0, RolloutKl: 0, RolloutCorrectedFraction: 0);

    /// <param name="advantages">Per group, as <see cref="StepAdvantages.Compute"/> gives them.</param>
    static CompletionSample[] Samples(ScoredGroup[] groups, float[][] advantages) =>
        [.. groups.SelectMany((group, index) => group.Completions.Select((completion, i) => new CompletionSample(
            group.PromptTokens, completion.Tokens, completion.LogProbs, advantages[index][i], completion.Truncated, completion.PolicyVersion)))];

    public async Task<EvaluationReport> EvaluateAsync()
    {
        var result = await Doing("held-out evaluation", (engine ?? throw new LearnerNotInitializedException(this.GetPrimaryKeyString())).EvaluateAsync);
        return new EvaluationReport(Version, result.Correct, result.Total, result.MeanReward);
    }

    public async Task<WeightManifest> GetWeightManifestAsync(long minVersion, TimeSpan maxWait)
    {
        // A fresh activation that nobody initialised will publish nothing: fail fast so the run re-initialises it.
        if (config is null || publication is null) throw new LearnerNotInitializedException(this.GetPrimaryKeyString());
        return await publication.WaitForAsync(minVersion, maxWait, CancellationToken.None)
            ?? throw new PolicyUnavailableException($"run {this.GetPrimaryKeyString()}: the learner published no policy version within {maxWait.TotalSeconds:F0} s.");
    }

    public async Task<WeightPullOffer> GetWeightPullOfferAsync(long minVersion, TimeSpan maxWait, string relay)
    {
        if (config is null || publication is null) throw new LearnerNotInitializedException(this.GetPrimaryKeyString());
        return await publication.OfferAsync(minVersion, maxWait, relay, CancellationToken.None)
            ?? throw new PolicyUnavailableException($"run {this.GetPrimaryKeyString()}: the learner published no policy version within {maxWait.TotalSeconds:F0} s.");
    }

    public async Task<LearnerResumePoint> GetResumePointAsync()
    {
        // A learner that holds the run (or is restoring it) reports what it chose; otherwise the choice a restore would
        // make now, by the same rule.
        if (config is not null && checkpointChoice is { } made)
            return new LearnerResumePoint(ready is null ? null : Version, made.Path, made.Step, made.Warning, made.OnlyBadCheckpoints && ready is null);
        var root = checkpoints.RunDirectory(this.GetPrimaryKeyString());
        var choice = await Task.Run(() => TrainingCheckpoint.ChooseNewest(root));
        return new LearnerResumePoint(null, choice.Path, choice.Step, choice.Warning, choice.OnlyBadCheckpoints);
    }

    public Task<LearnerLineage?> GetLineageAsync() => Task.FromResult(config is null ? null : lineage);

    /// <remarks>
    /// Asked of an activation nobody initialised, the pull's manifest came from the activation lost before it: like a
    /// manifest request, it fails as the lost learner it stands for, so the run re-initialises the learner.
    /// </remarks>
    public Task<byte[]> GetWeightChunkAsync(long version, int chunkIndex)
    {
        var runId = this.GetPrimaryKeyString();
        var chunk = (publication ?? throw new LearnerNotInitializedException(runId)).Chunk(version, chunkIndex);
        GrpoMetrics.RecordServed(runId, GrpoMetrics.WeightSources.Learner, chunk.Length);
        return Task.FromResult(chunk);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (publication is not null) colocated?.Unregister(this.GetPrimaryKeyString(), publication);
        if (engine is not null) await engine.DisposeAsync();
        // Waits a bounded time for the rows still queued; the ledger logs any it could not write.
        if (ledger is not null) await ledger.DisposeAsync();
    }
}
