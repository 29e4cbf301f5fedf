using Grpo.Abstractions.Configuration;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Runs;

public sealed class RunAssetsTests
{
    [Fact]
    public void The_arithmetic_task_yields_matching_tokenizer_model_and_deterministic_batches()
    {
        var config = new RunConfig { Task = new ComponentSpec("arithmetic").WithParameter("max_operand", 19), HeldOutSize = 10, Seed = 3 };
        var assets = RunAssets.Create(config);
        var again = RunAssets.Create(config);

        Assert.True(assets.Tokenizer.EncodeToIds("0123456789+=").Max() < assets.Model.VocabSize);
        Assert.Equal(10, assets.HeldOut.Count);
        Assert.Empty(assets.HeldOut.Intersect(assets.Train));
        Assert.Equal(assets.Batch(7, 5), again.Batch(7, 5));
        Assert.NotEqual(assets.Batch(7, 5), assets.Batch(8, 5));
        Assert.Equal("12", assets.Codec.DecodeCompletion(assets.Codec.EncodeTarget("12")));
    }
}
