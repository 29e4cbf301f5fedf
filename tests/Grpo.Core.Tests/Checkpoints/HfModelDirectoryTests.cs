using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Tests.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class HfModelDirectoryTests
{
    static readonly long[] Ids = [1, 5, 7, 9, 3];

    [Theory]
    [InlineData("qwen2", 0L)]
    [InlineData("qwen3", 0L)]
    [InlineData("llama", 2000L)] // small shards: exercises the sharded layout and its index
    public void Saved_directory_loads_back_with_equal_logits(string family, long maxShardBytes)
    {
        using var folder = new TempFolder();
        using var model = TestModels.Create(TestModels.ByName(family));
        HfModelDirectory.Save(folder.Path, model, maxShardBytes == 0 ? 5L << 30 : maxShardBytes);
        if (maxShardBytes > 0) Assert.True(File.Exists(folder.File(SafeTensors.IndexFileName)));

        using var loaded = HfModelDirectory.Load(folder.Path);
        using var input = tensor(Ids).unsqueeze(0);
        using var expected = model.forward(input);
        using var actual = loaded.forward(input);

        Assert.Equal(model.Config, loaded.Config);
        Assert.True(allclose(expected, actual, rtol: 0, atol: 0), "reloaded model must give identical logits");
    }

    [Fact]
    public void Missing_config_is_named()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => HfModelDirectory.Load(folder.Path));
        Assert.Contains("config.json", error.Message);
    }

    [Fact]
    public void Missing_weights_are_named()
    {
        using var folder = new TempFolder();
        TestModels.Qwen3().Save(folder.File("config.json"));
        var error = Assert.ThrowsAny<IOException>(() => HfModelDirectory.Load(folder.Path));
        Assert.Contains(folder.Path, error.Message);
    }

    [Fact]
    public void Weights_of_another_shape_name_the_tensor()
    {
        using var folder = new TempFolder();
        using var model = TestModels.Create(TestModels.Qwen3());
        HfModelDirectory.Save(folder.Path, model);
        (TestModels.Qwen3() with { IntermediateSize = TestModels.Qwen3().IntermediateSize * 2 }).Save(folder.File("config.json"));

        var error = Assert.ThrowsAny<Exception>(() => HfModelDirectory.Load(folder.Path));
        Assert.Contains("mlp", error.Message);
    }

    [Fact]
    public void Missing_directory_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), "grpo-no-such-model-" + Guid.NewGuid().ToString("N"));
        Assert.Contains(path, Assert.Throws<DirectoryNotFoundException>(() => HfModelDirectory.Load(path)).Message);
    }
}
