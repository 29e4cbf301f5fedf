using Grpo.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class WeightLoaderTests
{
    static readonly string[] Names = ["model.embed_tokens.weight", "model.proj.bias", "model.proj.weight"];

    static Dictionary<string, Tensor> WeightsLike(nn.Module module, float offset) =>
        module.state_dict().ToDictionary(p => p.Key, p => (full_like(p.Value, offset) + arange(p.Value.NumberOfElements, dtype: ScalarType.Float32).reshape(p.Value.shape)).detach());

    [Fact]
    public void TheTinyModuleHasHuggingFaceNames()
    {
        using var module = new TinyLanguageModel(1);
        Assert.Equal(Names, module.state_dict().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void LoadsEveryTensorByName()
    {
        using var module = new TinyLanguageModel(1);
        var weights = WeightsLike(module, 100f);

        WeightLoader.LoadInto(module, weights, "test-weights");

        foreach (var (name, parameter) in module.state_dict())
            TensorAssert.Identical(parameter, weights[name], name);
        Assert.True(module.parameters().All(p => p.requires_grad));
    }

    [Fact]
    public void LoadedWeightsDriveTheForwardPass()
    {
        using var module = new TinyLanguageModel(1);
        using var other = new TinyLanguageModel(2);
        using var input = tensor(new long[] { 0, 3, 4 });
        using var expected = other.forward(input);

        WeightLoader.LoadInto(module, other.state_dict(), "other-module");

        using var actual = module.forward(input);
        Assert.True(allclose(expected, actual));
    }

    [Fact]
    public void ConvertsBFloat16OnDiskToFloat32Parameters()
    {
        using var folder = new TempFolder();
        using var module = new TinyLanguageModel(1);
        // Small integers and halves are exact in bf16, so the f32 parameters must match exactly.
        var weights = WeightsLike(module, 0.5f).ToDictionary(p => p.Key, p => p.Value.to(ScalarType.BFloat16));
        var path = folder.File("model.safetensors");
        SafeTensors.Save(path, weights);

        WeightLoader.LoadInto(module, SafeTensors.Load(path), path);

        var embed = module.state_dict()["model.embed_tokens.weight"];
        Assert.Equal(ScalarType.Float32, embed.dtype);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => i + 0.5f), embed.data<float>().ToArray());
    }

    [Fact]
    public void MissingTensorIsNamedInStrictMode()
    {
        using var module = new TinyLanguageModel(1);
        var weights = WeightsLike(module, 0f);
        weights.Remove("model.proj.bias");
        var before = module.state_dict()["model.proj.weight"].clone();

        var error = Assert.Throws<InvalidDataException>(() => WeightLoader.LoadInto(module, weights, "shard-A"));

        Assert.Contains("'model.proj.bias'", error.Message);
        Assert.Contains("shard-A", error.Message);
        Assert.Contains("missing", error.Message);
        // Nothing is copied when the load is refused.
        TensorAssert.Identical(before, module.state_dict()["model.proj.weight"], "model.proj.weight");
    }

    [Fact]
    public void UnexpectedTensorIsNamedInStrictMode()
    {
        using var module = new TinyLanguageModel(1);
        var weights = WeightsLike(module, 0f);
        weights["model.layers.0.mlp.weight"] = zeros(2);

        var error = Assert.Throws<InvalidDataException>(() => WeightLoader.LoadInto(module, weights, "shard-B"));

        Assert.Contains("'model.layers.0.mlp.weight'", error.Message);
        Assert.Contains("shard-B", error.Message);
        Assert.Contains("unexpected", error.Message);
    }

    [Fact]
    public void ShapeMismatchIsNamedEvenWhenNotStrict()
    {
        using var module = new TinyLanguageModel(1);
        var weights = WeightsLike(module, 0f);
        weights["model.proj.weight"] = zeros(3, 2);

        var error = Assert.Throws<InvalidDataException>(() => WeightLoader.LoadInto(module, weights, "shard-C", strict: false));

        Assert.Contains("'model.proj.weight'", error.Message);
        Assert.Contains("[3, 2]", error.Message);
        Assert.Contains("[2, 3]", error.Message);
    }

    [Fact]
    public void NonStrictLoadSkipsMissingAndUnexpectedTensors()
    {
        using var module = new TinyLanguageModel(1);
        var weights = WeightsLike(module, 9f);
        weights.Remove("model.proj.bias");
        weights["extra"] = zeros(1);
        var biasBefore = module.state_dict()["model.proj.bias"].clone();

        WeightLoader.LoadInto(module, weights, "partial", strict: false);

        TensorAssert.Identical(module.state_dict()["model.proj.weight"], weights["model.proj.weight"], "model.proj.weight");
        TensorAssert.Identical(module.state_dict()["model.proj.bias"], biasBefore, "model.proj.bias");
    }

    [Fact]
    public void TiedLmHeadCopyIsAcceptedWhenTheModuleHasNone()
    {
        using var module = new TinyLanguageModel(1);
        var weights = WeightsLike(module, 0f);
        weights["lm_head.weight"] = weights["model.embed_tokens.weight"].clone();

        WeightLoader.LoadInto(module, weights, "tied-checkpoint");

        TensorAssert.Identical(module.state_dict()["model.embed_tokens.weight"], weights["model.embed_tokens.weight"], "model.embed_tokens.weight");
    }
}
