using System.Text.Json;
using Grpo.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class SafeTensorsShardedTests
{
    // Sizes in bytes: a = 16, b = 16, c = 40 (bf16), d = 8 (i64): total 80.
    static Dictionary<string, Tensor> Sample() => new()
    {
        ["a"] = arange(4, dtype: ScalarType.Float32),
        ["b"] = arange(4, 8, dtype: ScalarType.Float32),
        ["c"] = arange(20, dtype: ScalarType.Float32).to(ScalarType.BFloat16),
        ["d"] = tensor(new long[] { 42 }),
    };

    [Fact]
    public void ShardsFollowHuggingFaceNamingAndRoundTrip()
    {
        using var folder = new TempFolder();
        var tensors = Sample();

        SafeTensors.SaveSharded(folder.Path, tensors, maxShardBytes: 40);

        // a+b fill 32 bytes; c (40) would overflow, so it starts shard 2 and fills it; d starts shard 3.
        Assert.Equal(
            ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors", "model.safetensors.index.json"],
            Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var index = JsonDocument.Parse(File.ReadAllText(folder.File("model.safetensors.index.json")));
        Assert.Equal(80, index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        var map = index.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["a"] = "model-00001-of-00003.safetensors",
            ["b"] = "model-00001-of-00003.safetensors",
            ["c"] = "model-00002-of-00003.safetensors",
            ["d"] = "model-00003-of-00003.safetensors",
        }, map);
        Assert.Equal("pt", SafeTensors.ReadMetadata(folder.File("model-00001-of-00003.safetensors"))["format"]);

        var loaded = SafeTensors.LoadDirectory(folder.Path);
        Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, original) in tensors)
        {
            Assert.Equal(original.dtype, loaded[name].dtype);
            TensorAssert.Identical(original, loaded[name], name);
        }
    }

    [Fact]
    public void EverythingInOneShardIsWrittenAsModelSafetensorsAndReplacesOldShards()
    {
        using var folder = new TempFolder();
        var tensors = Sample();
        SafeTensors.SaveSharded(folder.Path, tensors, maxShardBytes: 40);
        File.WriteAllText(folder.File("config.json"), "{}");

        SafeTensors.SaveSharded(folder.Path, tensors, maxShardBytes: 1000);

        Assert.Equal(["config.json", "model.safetensors"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(4, SafeTensors.LoadDirectory(folder.Path).Count);
    }

    [Fact]
    public void TensorLargerThanTheLimitGetsAShardOfItsOwn()
    {
        using var folder = new TempFolder();
        SafeTensors.SaveSharded(folder.Path, Sample(), maxShardBytes: 10);

        // Every tensor but d exceeds 10 bytes and no two fit together: four shards.
        Assert.Equal(4, Directory.GetFiles(folder.Path, "model-*-of-00004.safetensors").Length);
        Assert.Equal(4, SafeTensors.LoadDirectory(folder.Path).Count);
    }

    [Fact]
    public void MissingShardNamesTheIndexTheShardAndATensor()
    {
        using var folder = new TempFolder();
        SafeTensors.SaveSharded(folder.Path, Sample(), maxShardBytes: 40);
        File.Delete(folder.File("model-00002-of-00003.safetensors"));

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.LoadDirectory(folder.Path));

        Assert.Contains("model.safetensors.index.json", error.Message);
        Assert.Contains("model-00002-of-00003.safetensors", error.Message);
        Assert.Contains("'c'", error.Message);
    }

    [Fact]
    public void TensorAbsentFromItsShardIsNamed()
    {
        using var folder = new TempFolder();
        SafeTensors.SaveSharded(folder.Path, Sample(), maxShardBytes: 40);
        var indexPath = folder.File("model.safetensors.index.json");
        File.WriteAllText(indexPath, File.ReadAllText(indexPath).Replace("\"d\": \"model-00003-of-00003.safetensors\"", "\"d\": \"model-00001-of-00003.safetensors\""));

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.LoadDirectory(folder.Path));

        Assert.Contains("'d'", error.Message);
        Assert.Contains("model-00001-of-00003.safetensors", error.Message);
        Assert.Contains("does not contain it", error.Message);
    }

    [Fact]
    public void IndexPointingOutsideTheFolderIsRejected()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"../elsewhere.safetensors\"}}");

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.LoadDirectory(folder.Path));
        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void FolderWithoutWeightsIsReported()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => SafeTensors.LoadDirectory(folder.Path));
        Assert.Contains(folder.Path, error.Message);
    }
}
