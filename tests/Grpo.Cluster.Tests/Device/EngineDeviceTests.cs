using Grpo.Cluster.Tests.Rollout;
using Grpo.Grains.Learning;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using TorchSharp;

namespace Grpo.Cluster.Tests.Device;

/// <summary>
/// The engines compute on the device they are given. Without a GPU the proof uses torch's meta device: tensors there
/// have shapes but no data, so an engine that really put its models on it fails the first time numbers must leave it,
/// while the same engine on the CPU works.
/// </summary>
public sealed class EngineDeviceTests
{
    const string Run = "device-run";

    // No warm-up: building then needs no numbers, only the moves, the reference copy and the optimizer's moments.
    static readonly Abstractions.Configuration.RunConfig LearnerConfig = TinyPolicy.Config with { WarmupSftSteps = 0 };

    const int SnapshotSegmentBytes = 1 << 20;

    [Theory]
    [InlineData(0f)]
    [InlineData(0.04f)]
    public async Task The_learner_keeps_policy_reference_and_optimizer_on_its_device(float beta)
    {
        var assets = RunAssets.Create(LearnerConfig with { Beta = beta });
        await using var onCpu = await LearnerEngine.CreateAsync(assets, "device-cpu", torch.CPU);
        await using var onMeta = await LearnerEngine.CreateAsync(assets, "device-meta", torch.META);

        Assert.Equal(["cpu"], await onCpu.DevicesInUseAsync());
        Assert.Equal(["meta"], await onMeta.DevicesInUseAsync());
        Assert.Equal(onCpu.ParameterCount, onMeta.ParameterCount);
        Assert.True((await onCpu.SnapshotAsync(SnapshotSegmentBytes)).TotalBytes > 0);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => onMeta.SnapshotAsync(SnapshotSegmentBytes));
        Assert.Contains("meta", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_rollout_engine_generates_on_its_device()
    {
        var source = new FakeWeightSource();
        source.Publish(Run, 1, TinyPolicy.Image(seed: 1));
        var config = TinyPolicy.Config with { RolloutBatchWaitMs = 0 };
        var prompt = TinyPolicy.Prompt(0, config);

        await using var onCpu = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions { Device = torch.CPU, WorkerName = "device-cpu" });
        await using var onMeta = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions { Device = torch.META, WorkerName = "device-meta" });

        var output = await onCpu.GenerateAsync(Run, config, prompt, 0, CancellationToken.None);
        Assert.NotEmpty(output.Tokens);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => onMeta.GenerateAsync(Run, config, prompt, 0, CancellationToken.None));
        Assert.Contains("meta", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
