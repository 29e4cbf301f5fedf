using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Tests.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class StreamingLoadTests
{
    [Theory]
    [InlineData("qwen2", 0L, false)]
    [InlineData("qwen3", 0L, true)] // bf16 on disk: staged per tensor and converted into the float32 parameters
    [InlineData("llama", 2000L, false)] // small shards: every tensor found through the index
    public void Streaming_into_the_module_gives_what_reading_every_tensor_first_gave(string family, long maxShardBytes, bool bf16)
    {
        using var folder = new TempFolder();
        using (var source = TestModels.Create(TestModels.ByName(family), seed: 11))
        {
            if (bf16)
            {
                source.Config.Save(folder.File(HfModelDirectory.ConfigFileName));
                using var scope = NewDisposeScope();
                SafeTensors.SaveSharded(folder.Path, source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().to(ScalarType.BFloat16)), 5L << 30);
            }
            else
            {
                HfModelDirectory.Save(folder.Path, source, maxShardBytes == 0 ? 5L << 30 : maxShardBytes);
            }
        }
        using var readFirst = TestModels.Create(TestModels.ByName(family), seed: 12);
        using var streamed = TestModels.Create(TestModels.ByName(family), seed: 13);
        var weights = SafeTensors.LoadDirectory(folder.Path);
        try
        {
            WeightLoader.LoadInto(readFirst, weights, folder.Path);
        }
        finally
        {
            foreach (var tensor in weights.Values) tensor.Dispose();
        }

        SafeTensors.LoadDirectoryInto(folder.Path, streamed, folder.Path);

        using var comparisons = NewDisposeScope();
        var expected = readFirst.state_dict();
        var actual = streamed.state_dict();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, value) in expected)
            TensorAssert.Identical(value, actual[name], name);
    }

    [Fact]
    public void A_misshapen_tensor_is_refused_before_any_parameter_is_overwritten()
    {
        using var folder = new TempFolder();
        using var source = TestModels.Create(TestModels.Qwen3(), seed: 1);
        var config = source.Config;
        using (var scope = NewDisposeScope())
        {
            var tensors = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach());
            tensors["model.norm.weight"] = zeros(config.HiddenSize + 1);
            SafeTensors.SaveSharded(folder.Path, tensors, 5L << 30);
        }
        using var target = TestModels.Create(TestModels.Qwen3(), seed: 2);
        using var before = target.state_dict()["model.embed_tokens.weight"].clone();

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.LoadDirectoryInto(folder.Path, target, "policy folder"));
        using var comparisons = NewDisposeScope();

        Assert.Contains("'model.norm.weight' has shape", error.Message);
        Assert.Contains("policy folder", error.Message);
        // Nothing may be copied before every shape is checked.
        TensorAssert.Identical(before, target.state_dict()["model.embed_tokens.weight"], "model.embed_tokens.weight");
    }

    [Fact]
    public void A_tensor_the_module_lacks_or_needs_is_named_by_the_streaming_load()
    {
        using var folder = new TempFolder();
        using var source = TestModels.Create(TestModels.Qwen3(), seed: 1);
        using (var scope = NewDisposeScope())
        {
            var tensors = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach());
            tensors.Remove("model.norm.weight");
            tensors["model.extra.weight"] = zeros(2);
            SafeTensors.SaveSharded(folder.Path, tensors, 5L << 30);
        }
        using var target = TestModels.Create(TestModels.Qwen3(), seed: 2);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.LoadDirectoryInto(folder.Path, target, folder.Path));

        Assert.Contains("unexpected tensor 'model.extra.weight'", error.Message);
        Assert.Contains("missing tensor 'model.norm.weight'", error.Message);
    }
}
