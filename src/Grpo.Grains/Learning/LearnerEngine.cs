using Grpo.Core.Model;
using Grpo.Core.Runtime;
using Grpo.Core.Checkpoints;
using Grpo.Core.Tasks;
using Grpo.Core.Training;
using Grpo.Grains.Runs;
using TorchSharp;

namespace Grpo.Grains.Learning;

/// <summary>
/// The learner's torch side: policy, frozen reference and optimizer, all owned by one dedicated thread and kept on the
/// silo's device. The learner grain only awaits it. Weights are read and initialised on the CPU (so a run starts from
/// the same numbers on every device) and moved to the device before the optimizer exists; checkpoints and published
/// weights are copied back to the CPU when written. Master weights and optimizer state are float32 on every device;
/// learner_compute_dtype may run the forward and backward passes on a bfloat16 working copy.
/// </summary>
public sealed class LearnerEngine : IAsyncDisposable
{
    readonly TorchWorker worker;
    readonly RunAssets assets;
    readonly torch.Device device;
    CausalLM? policy;
    CausalLM? reference;
    GrpoLearner? learner;
    bool lora;

    LearnerEngine(RunAssets assets, string runId, torch.Device device)
    {
        this.assets = assets;
        this.device = device;
        worker = new TorchWorker($"grpo-learner-{runId}");
    }

    const int WarmupProbeSize = 128;

    // The probe's accuracy can jump by 30 points between two checks, so where it first crosses the target depends on
    // float rounding; a target held on two checks in a row is a steadier start for GRPO (demo seeds 0-3: mean held-out
    // accuracy after GRPO 85.6% against 77.8% with one check).
    const int WarmupTargetChecks = 2;

    public long ParameterCount { get; private set; }

    public WarmupResult? Warmup { get; private set; }

    /// <summary>The device the policy, the reference and the optimizer state live on.</summary>
    public torch.Device Device => device;

    /// <summary>
    /// Builds the policy (from the model directory's weights, or from the run's seed followed by the supervised warm-up)
    /// and freezes the reference.
    /// </summary>
    public static async Task<LearnerEngine> CreateAsync(
        RunAssets assets, string runId, torch.Device device, IProgress<(int Step, float Loss)>? warmupProgress = null) =>
        (await StartAsync(assets, runId, device, engine => { engine.Build(warmupProgress); return true; })).Engine;

    /// <summary>A new engine whose first torch work is <paramref name="build"/>; disposed again if that fails.</summary>
    static async Task<(LearnerEngine Engine, T Result)> StartAsync<T>(RunAssets assets, string runId, torch.Device device, Func<LearnerEngine, T> build)
    {
        ArgumentNullException.ThrowIfNull(device);
        var engine = new LearnerEngine(assets, runId, device);
        try
        {
            return (engine, await engine.worker.RunAsync(() => build(engine)));
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    /// <summary>The untrained policy of the run, initialised from its seed; with LoRA the frozen base plus fresh adapters.</summary>
    CausalLM NewPolicy()
    {
        var model = RunBaseModel.Create(assets);
        lora = model.Lora is not null;
        ParameterCount = model.parameters().Sum(p => p.numel());
        return model;
    }

    /// <summary>
    /// π_ref for β &gt; 0: with LoRA the policy with its adapters off (the base never trains, not even in the warm-up);
    /// otherwise <paramref name="frozen"/>, a copy taken after the warm-up.
    /// </summary>
    IReferencePolicy? ReferenceFor(CausalLM? frozen) =>
        assets.Config.Beta <= 0 ? null
        : lora ? new AdaptersOffReference(Policy)
        : new FrozenModelReference(frozen ?? throw new InvalidOperationException("beta > 0 without LoRA needs a frozen reference."));

    void Build(IProgress<(int Step, float Loss)>? warmupProgress)
    {
        var config = assets.Config;
        policy = NewPolicy();
        if (assets.IsPretrained && !lora)
        {
            // Pretrained weights replace the random initialisation; whatever dtype they have on disk, the master
            // weights stay float32. A pretrained model needs no supervised warm-up to produce sensible completions.
            HfModelFiles.LoadWeightsInto(Path.GetFullPath(config.ModelPath!), policy);
        }
        // Before any optimizer: moving a module replaces its parameter tensors, which an optimizer would still hold.
        policy.to(device);
        if (!assets.IsPretrained && config.WarmupSftSteps > 0)
        {
            using var trainer = new SupervisedTrainer(policy, new LearningRateSchedule { PeakLearningRate = config.WarmupSftLearningRate },
                new AdamWOptions(), config.MaxGradNorm, assets.PadTokenId);
            var probe = assets.Train.Take(WarmupProbeSize).ToArray();
            Func<bool>? targetReached = config.WarmupSftTargetAccuracy > 0
                ? () => ProbeAccuracy(probe) >= config.WarmupSftTargetAccuracy
                : null;
            Warmup = SupervisedWarmup.Run(trainer, assets.Codec, assets.Train, config.WarmupSftSteps, config.WarmupSftBatchSize,
                (ulong)config.Seed, warmupProgress, targetReached, checksInARow: WarmupTargetChecks);
        }
        reference = config.Beta > 0 && !lora ? ReferencePolicy.FrozenCopy(policy) : null;
        learner = new GrpoLearner(policy, RunOptions.Learner(config, assets.Registries), assets.PadTokenId, ReferenceFor(reference));
    }

    /// <summary>
    /// Rebuilds the learner from a checkpoint without the warm-up: policy weights and AdamW state from the checkpoint,
    /// the frozen reference (when beta &gt; 0) from the reference file written after the original warm-up.
    /// </summary>
    public static Task<(LearnerEngine Engine, TrainingState State)> RestoreAsync(
        RunAssets assets, string runId, torch.Device device, string checkpointDirectory, string referencePath) =>
        StartAsync(assets, runId, device, engine => engine.Restore(checkpointDirectory, referencePath));

    TrainingState Restore(string checkpointDirectory, string referencePath)
    {
        var config = assets.Config;
        policy = NewPolicy();
        var loaded = TrainingCheckpoint.Load(checkpointDirectory, policy);
        try
        {
            policy.to(device);
            if (config.Beta > 0 && !lora)
            {
                if (!File.Exists(referencePath))
                    throw new InvalidDataException($"checkpoint '{checkpointDirectory}' needs the reference policy '{referencePath}' (beta > 0), which is missing.");
                using var saved = new CausalLM(assets.Model);
                var weights = SafeTensors.Load(referencePath);
                try
                {
                    WeightLoader.LoadInto(saved, weights, referencePath, strict: true);
                }
                finally
                {
                    foreach (var tensor in weights.Values) tensor.Dispose();
                }
                saved.to(device);
                reference = ReferencePolicy.FrozenCopy(saved);
            }
            learner = new GrpoLearner(policy, RunOptions.Learner(config, assets.Registries), assets.PadTokenId, ReferenceFor(reference));
            learner.Optimizer.LoadState(loaded.OptimizerState, Path.Combine(checkpointDirectory, TrainingCheckpoint.OptimizerFileName));
        }
        finally
        {
            foreach (var tensor in loaded.OptimizerState.Values) tensor.Dispose();
        }
        return loaded.State;
    }

    /// <summary>Writes policy weights and optimizer state as a checkpoint under <paramref name="rootDirectory"/>; returns its folder.</summary>
    public Task<string> SaveCheckpointAsync(string rootDirectory, TrainingState state, int keepLast) => worker.RunAsync(() =>
    {
        var optimizerState = Learner.Optimizer.StateTensors();
        try
        {
            return TrainingCheckpoint.Save(rootDirectory, Policy, optimizerState, state, keepLast, assets.Config.ModelPath);
        }
        finally
        {
            foreach (var tensor in optimizerState.Values) tensor.Dispose();
        }
    });

    /// <summary>
    /// Saves the frozen reference once after the warm-up: a restored learner skips the warm-up and needs it for the KL
    /// term. Written under a temporary name and moved, so a reader never sees half a file. False when there is none
    /// (β = 0, or LoRA, whose reference is the policy's own base with the adapters off).
    /// </summary>
    public Task<bool> SaveReferenceAsync(string path) => worker.RunAsync(() =>
    {
        if (reference is null) return false;
        PrivateFiles.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.tmp-{Guid.NewGuid():N}";
        try
        {
            SafeTensors.Save(temporary, reference.state_dict(), new Dictionary<string, string> { ["format"] = "pt" });
            PrivateFiles.Restrict(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        return true;
    });

    /// <summary>Greedy accuracy on training prompts: the warm-up's stopping signal, kept off the held-out set.</summary>
    double ProbeAccuracy(TaskExample[] probe)
    {
        var completions = PolicyEvaluator.GenerateGreedy(Policy, assets.Codec, probe, assets.Config.MaxCompletionTokens, probe.Length, assets.PadTokenId);
        // Scoring does no torch work, so blocking this (the torch) thread on it is safe.
        return PolicyEvaluator.ScoreAsync(assets.AnswerReward, probe, completions).GetAwaiter().GetResult().Accuracy;
    }

    /// <summary>
    /// The devices holding the policy's and the reference's parameters and the optimizer's moments, e.g. {"cuda:0"}:
    /// one entry unless something was left behind on another device.
    /// </summary>
    public Task<IReadOnlySet<string>> DevicesInUseAsync() => worker.RunAsync(() =>
    {
        var moments = Learner.Optimizer.StateTensors();
        try
        {
            // The step counter is a CPU scalar by design; only the moments follow the parameters.
            return (IReadOnlySet<string>)Policy.parameters()
                .Concat(reference?.parameters() ?? [])
                .Select(parameter => parameter.device.ToString())
                .Concat(moments.Where(moment => moment.Key != AdamW.StepKey).Select(moment => moment.Value.device.ToString()))
                .ToHashSet(StringComparer.Ordinal);
        }
        finally
        {
            foreach (var tensor in moments.Values) tensor.Dispose();
        }
    });

    /// <summary>The policy's weight image in segments of <paramref name="segmentBytes"/>, the chunks it is published in.
    /// With LoRA only the adapters are published: every silo rebuilds the same frozen base itself.</summary>
    /// <param name="imageType">Float32, or BFloat16 when rollouts compute in bfloat16 (rounded piece by piece as it is captured).</param>
    public Task<WeightImage> SnapshotAsync(int segmentBytes, torch.ScalarType imageType = torch.ScalarType.Float32) => worker.RunAsync(() =>
        lora ? WeightSnapshot.Capture(Policy.AdapterStateDict(), segmentBytes, imageType) : WeightSnapshot.Capture(Policy, segmentBytes, imageType));

    public Task<LearnerStepResult> TrainAsync(IReadOnlyList<CompletionSample> samples) =>
        worker.RunAsync(() => learner!.Train(samples));

    /// <summary>Greedy held-out accuracy: generation on the torch thread, scoring (maybe asynchronous) off it.</summary>
    public async Task<EvaluationResult> EvaluateAsync()
    {
        var completions = await worker.RunAsync(() => PolicyEvaluator.GenerateGreedy(
            Policy, assets.Codec, assets.HeldOut, assets.Config.MaxCompletionTokens, batchSize: 256, assets.PadTokenId));
        return await PolicyEvaluator.ScoreAsync(assets.AnswerReward, assets.HeldOut, completions);
    }

    CausalLM Policy => policy ?? throw new InvalidOperationException("the learner engine has no policy yet.");

    GrpoLearner Learner => learner ?? throw new InvalidOperationException("the learner engine has no optimizer yet.");

    public async ValueTask DisposeAsync()
    {
        await worker.RunAsync(() =>
        {
            learner?.Dispose();
            reference?.Dispose();
            policy?.Dispose();
        }).ConfigureAwait(false);
        await worker.DisposeAsync().ConfigureAwait(false);
    }
}
