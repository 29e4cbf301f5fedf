using Grpo.Abstractions.Configuration;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Runs;

public sealed class RunAssetsTests
{
    [Fact]
    public void The_arithmetic_task_yields_matching_tokenizer_model_and_deterministic_batches()
    {
        var config = new RunConfig { ArithmeticMaxOperand = 19, HeldOutSize = 10, Seed = 3 };
        var assets = RunAssets.Create(config);
        var again = RunAssets.Create(config);

        Assert.True(assets.Tokenizer.EncodeToIds("0123456789+=").Max() < assets.Model.VocabSize);
        Assert.Equal(10, assets.HeldOut.Count);
        Assert.Empty(assets.HeldOut.Intersect(assets.Train));
        Assert.Equal(assets.Batch(7, 5), again.Batch(7, 5));
        Assert.NotEqual(assets.Batch(7, 5), assets.Batch(8, 5));
        Assert.Equal("12", assets.Codec.DecodeCompletion(assets.Codec.EncodeTarget("12")));
    }

    [Theory]
    [InlineData("dynamic_sampling=true", "dynamic_sampling")]
    [InlineData("model_path=/models/qwen", "model_path")]
    public void Keys_the_cluster_cannot_honour_yet_are_refused_by_name(string assignment, string key)
    {
        var config = RunConfigLoader.ApplyOverrides(new RunConfig(), [assignment]);
        var error = Assert.Throws<NotSupportedException>(() => RunAssets.Create(config));
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void A_jsonl_task_is_refused_until_hugging_face_tokenizers_are_wired()
    {
        var config = RunConfigLoader.ApplyOverrides(new RunConfig(), ["task=jsonl", "dataset_path=data.jsonl"]);
        Assert.Contains("task 'jsonl'", Assert.Throws<NotSupportedException>(() => RunAssets.Create(config)).Message);
    }
}
