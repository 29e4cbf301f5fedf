using Grpo.Abstractions.Grains;
using Grpo.Cluster.Tests.Runs;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Grains.Runs;
using Grpo.Hosting;

namespace Grpo.Cluster.Tests.Learning;

/// <summary>
/// The learner publishes the image its rollouts load: bfloat16 (half the bytes to pull) for a run whose rollouts
/// compute in bfloat16, float32 otherwise, and the manifest's checksum is that of the image sent.
/// </summary>
public sealed class BFloat16PublicationTests : IDisposable
{
    readonly string directory = Path.Combine(Path.GetTempPath(), $"grpo-bf16-publication-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_bfloat16_run_publishes_half_the_bytes_of_the_float32_run_and_its_chunks_match_the_checksum()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly with { CheckpointDirectory = directory });
        var config = RunScenario.Fast(steps: 1) with { WarmupSftSteps = 0 };
        long values;
        using (var shape = new CausalLM(RunAssets.Create(config).Model))
            values = shape.state_dict().Values.Sum(t => t.numel());

        var full = await PublishedAsync(cluster, "publication-float32", config);
        var half = await PublishedAsync(cluster, "publication-bfloat16", config with { ComputeDtype = "bfloat16" });

        Assert.Equal(values * sizeof(float), full.Manifest.TotalBytes);
        Assert.Equal(values * 2, half.Manifest.TotalBytes);
        Assert.Equal(half.Manifest.Sha256, half.Image.Sha256());
        Assert.Equal(full.Manifest.Sha256, full.Image.Sha256());
        // The same initial policy (same seed), rounded to bfloat16 as a bfloat16 engine would round it on load.
        Assert.Equal(WeightSnapshot.Convert(full.Image, TorchSharp.torch.ScalarType.BFloat16).ToArray(), half.Image.ToArray());
    }

    static async Task<(Grpo.Abstractions.Contracts.WeightManifest Manifest, WeightImage Image)> PublishedAsync(
        GrpoTestCluster cluster, string runId, Grpo.Abstractions.Configuration.RunConfig config)
    {
        var learner = cluster.Client.GetGrain<ILearnerGrain>(runId);
        await learner.InitializeAsync(config);
        var manifest = await learner.GetWeightManifestAsync(0, TimeSpan.FromSeconds(30));
        var chunks = new byte[manifest.ChunkCount][];
        for (var index = 0; index < manifest.ChunkCount; index++)
            chunks[index] = await learner.GetWeightChunkAsync(manifest.Version, index);
        return (manifest, new WeightImage(chunks, manifest.ChunkBytes));
    }

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }
}
