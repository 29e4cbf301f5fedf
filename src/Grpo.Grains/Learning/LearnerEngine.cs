using Grpo.Core.Model;
using Grpo.Core.Runtime;
using Grpo.Core.Checkpoints;
using Grpo.Core.Tasks;
using Grpo.Core.Training;
using Grpo.Grains.Runs;
using TorchSharp;

namespace Grpo.Grains.Learning;

/// <summary>
/// The learner's torch side: policy, frozen reference and optimizer, all owned by one dedicated thread. The learner
/// grain only awaits it.
/// </summary>
public sealed class LearnerEngine : IAsyncDisposable
{
    readonly TorchWorker worker;
    readonly RunAssets assets;
    CausalLM? policy;
    CausalLM? reference;
    GrpoLearner? learner;

    LearnerEngine(RunAssets assets, string runId)
    {
        this.assets = assets;
        worker = new TorchWorker($"grpo-learner-{runId}");
    }

    const int WarmupProbeSize = 128;

    public long ParameterCount { get; private set; }

    public WarmupResult? Warmup { get; private set; }

    /// <summary>Builds the policy from the run's seed, runs the supervised warm-up and freezes the reference.</summary>
    public static async Task<LearnerEngine> CreateAsync(RunAssets assets, string runId, IProgress<(int Step, float Loss)>? warmupProgress = null)
    {
        var engine = new LearnerEngine(assets, runId);
        try
        {
            await engine.worker.RunAsync(() => engine.Build(warmupProgress));
            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    void Build(IProgress<(int Step, float Loss)>? warmupProgress)
    {
        var config = assets.Config;
        torch.manual_seed(config.Seed);
        policy = new CausalLM(assets.Model);
        ParameterCount = policy.parameters().Sum(p => p.numel());
        if (config.WarmupSftSteps > 0)
        {
            using var trainer = new SupervisedTrainer(policy, new LearningRateSchedule { PeakLearningRate = config.WarmupSftLearningRate },
                new AdamWOptions(), config.MaxGradNorm, assets.PadTokenId);
            var probe = assets.Train.Take(WarmupProbeSize).ToArray();
            Func<bool>? targetReached = config.WarmupSftTargetAccuracy > 0
                ? () => ProbeAccuracy(probe) >= config.WarmupSftTargetAccuracy
                : null;
            Warmup = SupervisedWarmup.Run(trainer, assets.Codec, assets.Train, config.WarmupSftSteps, config.WarmupSftBatchSize,
                (ulong)config.Seed, warmupProgress, targetReached);
        }
        reference = config.Beta > 0 ? ReferencePolicy.FrozenCopy(policy) : null;
        learner = new GrpoLearner(policy, reference, RunOptions.Learner(config), assets.PadTokenId);
    }

    /// <summary>Greedy accuracy on training prompts: the warm-up's stopping signal, kept off the held-out set.</summary>
    double ProbeAccuracy(TaskExample[] probe)
    {
        var completions = PolicyEvaluator.GenerateGreedy(Policy, assets.Codec, probe, assets.Config.MaxCompletionTokens, probe.Length, assets.PadTokenId);
        // Scoring does no torch work, so blocking this (the torch) thread on it is safe.
        return PolicyEvaluator.ScoreAsync(assets.Reward, probe, completions).GetAwaiter().GetResult().Accuracy;
    }

    public Task<byte[]> SnapshotAsync() => worker.RunAsync(() => WeightSnapshot.Capture(Policy));

    public Task<LearnerStepResult> TrainAsync(IReadOnlyList<CompletionSample> samples) =>
        worker.RunAsync(() => learner!.Train(samples));

    /// <summary>Greedy held-out accuracy: generation on the torch thread, scoring (maybe asynchronous) off it.</summary>
    public async Task<EvaluationResult> EvaluateAsync()
    {
        var completions = await worker.RunAsync(() => PolicyEvaluator.GenerateGreedy(
            Policy, assets.Codec, assets.HeldOut, assets.Config.MaxCompletionTokens, batchSize: 256, assets.PadTokenId));
        return await PolicyEvaluator.ScoreAsync(assets.Reward, assets.HeldOut, completions);
    }

    CausalLM Policy => policy ?? throw new InvalidOperationException("the learner engine has no policy yet.");

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
