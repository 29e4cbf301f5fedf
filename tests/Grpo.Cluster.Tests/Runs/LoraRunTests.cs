using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Training;
using Grpo.Grains;
using Grpo.Grains.Learning;
using Grpo.Grains.Runs;
using Grpo.Hosting;
using TorchSharp;
using Xunit.Abstractions;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>A run with lora_rank: adapters train, only adapters are published and checkpointed, and a checkpoint resumes.</summary>
public sealed class LoraRunTests(ITestOutputHelper output) : IDisposable
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);
    readonly string directory = Path.Combine(Path.GetTempPath(), $"grpo-lora-tests-{Guid.NewGuid():N}");

    GrpoSiloOptions Learner => GrpoTestCluster.LearnerOnly with { CheckpointDirectory = directory };

    [Fact]
    public async Task A_lora_run_publishes_and_checkpoints_adapters_only_and_its_checkpoint_resumes()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(Learner, GrpoTestCluster.RolloutOnly);
        // A short warm-up (adapters only) and beta > 0, so the KL reference is the policy with its adapters off.
        var config = RunScenario.Fast(steps: 4) with
        {
            CheckpointEvery = 2, LoraRank = 4, WarmupSftSteps = 20, WarmupSftTargetAccuracy = 0, Beta = 0.04f,
            // The learner's memory options ride along: they must not change what a LoRA run does.
            MicroBatchSize = 3, LogProbChunkSize = 5, GradientCheckpointing = true, ExportFinalModel = "float32",
        };
        var assets = RunAssets.Create(config);
        long adapterBytes, fullBytes;
        using (var shape = new CausalLM(assets.Model))
        {
            fullBytes = shape.parameters().Sum(p => p.numel()) * sizeof(float);
            shape.ApplyLora(RunBaseModel.Lora(config)!);
            adapterBytes = shape.AdapterStateDict().Values.Sum(t => t.numel()) * sizeof(float);
        }

        var run = cluster.Client.GetGrain<IRunGrain>("lora-run");
        await run.StartAsync(config);
        await RunScenario.WaitUntilAsync(run, s => s.Step >= 1, RunTimeout);
        var manifest = await cluster.Client.GetGrain<ILearnerGrain>("lora-run").GetWeightManifestAsync(1, TimeSpan.FromSeconds(30));
        output.WriteLine($"published version {manifest.Version}: {manifest.TotalBytes} bytes; the full model would be {fullBytes}.");
        Assert.Equal(adapterBytes, manifest.TotalBytes);
        Assert.True(manifest.TotalBytes * 5 < fullBytes, $"adapters {manifest.TotalBytes} bytes against the full model's {fullBytes}");

        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        RunScenario.AssertEveryStepTrainedOnce(config, await run.GetMetricsAsync(0));

        var runDirectory = Path.Combine(directory, "lora-run");
        Assert.False(File.Exists(Path.Combine(runDirectory, "reference.safetensors")), "a LoRA run needs no reference file");
        var latest = TrainingCheckpoint.FindLatest(runDirectory)!;
        Assert.Equal(Path.Combine(runDirectory, "step-00000004"), latest);
        Assert.True(TrainingCheckpoint.IsLora(latest));
        Assert.False(File.Exists(Path.Combine(latest, TrainingCheckpoint.ModelFileName)));
        var peft = PeftAdapterConfig.Load(latest);
        Assert.Equal(4, peft.Options.Rank);
        Assert.Equal(config.LoraAlpha, peft.Options.Alpha);

        // export_final_model: the merged policy of the last step as a Hugging Face directory, no adapter keys left.
        var exported = Path.Combine(runDirectory, LearnerGrain.FinalModelFolder);
        using (var merged = HfModelDirectory.Load(exported))
        {
            Assert.DoesNotContain(merged.state_dict().Keys, CausalLM.IsAdapterKey);
            var (trained, _) = RunCheckpointPolicy.Load(assets, latest);
            using (trained)
            {
                var ids = torch.tensor(assets.Codec.EncodePrompt(assets.Train[0].Prompt).Select(t => (long)t).ToArray()).unsqueeze(0);
                using var expected = trained.forward(ids);
                using var actual = merged.forward(ids);
                var scale = expected.abs().max().item<float>();
                var worst = (expected - actual).abs().max().item<float>();
                Assert.True(worst <= 1e-4f * scale, $"exported logits differ by {worst} (scale {scale})");
            }
        }

        // The step 2 checkpoint resumes: at step 4 the cosine schedule has reached a learning rate of 0 and nothing would move.
        var resumable = Path.Combine(runDirectory, "step-00000002");
        Assert.True(TrainingCheckpoint.IsLora(resumable));
        var saved = PeftAdapterFiles.LoadWeights(resumable);
        byte[] savedImage;
        try
        {
            savedImage = WeightSnapshot.Capture(saved).ToArray();
        }
        finally
        {
            foreach (var tensor in saved.Values) tensor.Dispose();
        }

        // Resuming needs no reference file: the base is rebuilt from the seed and the reference is it with adapters off.
        var (engine, state) = await LearnerEngine.RestoreAsync(assets, "lora-resume", torch.CPU, resumable, Path.Combine(runDirectory, "no-such-reference.safetensors"));
        await using (engine)
        {
            Assert.Equal(2, state.Step);
            Assert.Equal(savedImage, (await engine.SnapshotAsync(WeightSnapshot.DefaultSegmentBytes)).ToArray());
            var prompt = assets.Codec.EncodePrompt(assets.Train[0].Prompt);
            var samples = Enumerable.Range(0, 4)
                .Select(i => new CompletionSample(prompt, [3 + i, 5], [-1.5f, -2f], i % 2 == 0 ? 1f : -1f, Truncated: false, PolicyVersion: 2))
                .ToArray();
            var result = await engine.TrainAsync(samples);
            Assert.True(float.IsFinite(result.Loss), $"loss {result.Loss}");
            Assert.NotEqual(savedImage, (await engine.SnapshotAsync(WeightSnapshot.DefaultSegmentBytes)).ToArray());
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }
}
