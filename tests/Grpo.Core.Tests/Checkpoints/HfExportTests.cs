using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class HfExportTests
{
    static Tensor Ids => TestModels.Ids([5, 6, 7, 8, 9], [10, 11, 12, 13, 14]);

    [Theory]
    [InlineData("qwen3")]
    [InlineData("qwen2")]
    [InlineData("llama")]
    public void Float32ExportReloadsToIdenticalLogits(string family)
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.ByName(family));
        var output = folder.File("export");
        var result = HfExport.Write(output, model, new HfExportOptions { DType = HfExportDType.Float32 });

        Assert.Equal("float32", result.TorchDtype);
        Assert.Equal("float32", ModelConfig.Load(Path.Combine(output, "config.json")).TorchDtype);
        using var reloaded = HfModelDirectory.Load(output);
        using var noGrad = no_grad();
        Assert.True(model.forward(Ids).equal(reloaded.forward(Ids)).all().item<bool>());
        Assert.Equal([Path.GetFileName(output)], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void BFloat16ExportStoresRoundedWeightsAndKeepsLogitsWithinBFloat16Error()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.Qwen2());
        var output = folder.File("export");
        HfExport.Write(output, model, new HfExportOptions());

        Assert.Equal("bfloat16", ModelConfig.Load(Path.Combine(output, "config.json")).TorchDtype);
        Assert.All(SafeTensors.LoadDirectory(output).Values, t => Assert.Equal(ScalarType.BFloat16, t.dtype));
        using var reloaded = HfModelDirectory.Load(output);
        var original = model.state_dict();
        foreach (var (name, loaded) in reloaded.state_dict())
        {
            var rounded = original[name].to_type(ScalarType.BFloat16).to_type(ScalarType.Float32);
            Assert.True(rounded.equal(loaded).all().item<bool>(), $"{name} is not the bfloat16 rounding of the original");
        }

        using var noGrad = no_grad();
        var expected = model.forward(Ids);
        var actual = reloaded.forward(Ids);
        // bfloat16 keeps 8 significant bits (relative error up to 2^-9 per weight); through two layers the logits move by a
        // few percent of their scale, far less than they would from a wrong or missing weight.
        var scale = expected.abs().max().item<float>();
        var gap = (expected - actual).abs().max().item<float>();
        Assert.True(gap <= 0.05f * scale, $"largest logit gap {gap} against logit scale {scale}");
        Assert.True(gap > 0, "bfloat16 export left every logit unchanged; the weights were not rounded");
    }

    [Fact]
    public void ShardsAboveTheSizeLimitAndStillReloads()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.Qwen3());
        var output = folder.File("export");
        var result = HfExport.Write(output, model, new HfExportOptions { DType = HfExportDType.Float32, MaxShardBytes = 16 * 1024 });

        Assert.Contains(SafeTensors.IndexFileName, result.WeightFiles);
        Assert.True(result.WeightFiles.Count > 2);
        using var reloaded = HfModelDirectory.Load(output);
        using var noGrad = no_grad();
        Assert.True(model.forward(Ids).equal(reloaded.forward(Ids)).all().item<bool>());
    }

    [Fact]
    public void CopiesTheTokenizerFilesThatExistAndNothingElse()
    {
        using var folder = new TempFolder();
        using var model = TestModels.Create(TestModels.Qwen3());
        var source = Directory.CreateDirectory(folder.File("source")).FullName;
        File.WriteAllText(Path.Combine(source, "tokenizer.json"), "{\"model\": {}}");
        File.WriteAllText(Path.Combine(source, "merges.txt"), "a b\n");
        File.WriteAllText(Path.Combine(source, "generation_config.json"), "{\"eos_token_id\": 1}");
        File.WriteAllText(Path.Combine(source, "README.md"), "not a tokenizer file");
        var output = folder.File("export");

        var result = HfExport.Write(output, model, new HfExportOptions { TokenizerSource = source });

        Assert.Equal(["tokenizer.json", "generation_config.json", "merges.txt"], result.TokenizerFiles);
        foreach (var name in result.TokenizerFiles)
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, name)), File.ReadAllBytes(Path.Combine(output, name)));
        Assert.False(File.Exists(Path.Combine(output, "README.md")));
        var missing = folder.File("no-such-model");
        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() =>
            HfExport.Write(folder.File("other"), model, new HfExportOptions { TokenizerSource = missing })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesANonEmptyFolderUnlessAskedToOverwrite()
    {
        using var folder = new TempFolder();
        using var model = TestModels.Create(TestModels.Qwen3());
        var output = Directory.CreateDirectory(folder.File("export")).FullName;
        HfExport.Write(output, model, new HfExportOptions());  // an empty existing folder is fine
        File.WriteAllText(Path.Combine(output, "stale.txt"), "from before");

        var refusal = Assert.Throws<IOException>(() => HfExport.Write(output, model, new HfExportOptions()));
        Assert.Contains(output, refusal.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "stale.txt")));

        HfExport.Write(output, model, new HfExportOptions { Overwrite = true, DType = HfExportDType.Float32 });
        Assert.False(File.Exists(Path.Combine(output, "stale.txt")));
        Assert.Equal("float32", ModelConfig.Load(Path.Combine(output, "config.json")).TorchDtype);
        Assert.Single(Directory.GetFileSystemEntries(folder.Path));

        File.WriteAllText(folder.File("a-file"), "");
        Assert.Throws<IOException>(() => HfExport.Write(folder.File("a-file"), model, new HfExportOptions { Overwrite = true }));
    }

    [Fact]
    public void ExportsAnyStateDictGivenWithItsConfig()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.Qwen2());
        // A caller's own dict (say, adapters merged into the weights): here every weight doubled.
        var doubled = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach() * 2);
        HfExport.Write(folder.File("export"), model.Config, doubled, new HfExportOptions { DType = HfExportDType.Float32 });
        using var reloaded = HfModelDirectory.Load(folder.File("export"));
        foreach (var (name, loaded) in reloaded.state_dict())
            Assert.True(loaded.equal(doubled[name]).all().item<bool>(), name);
        Assert.Throws<ArgumentException>(() => HfExport.Write(folder.File("empty"), model.Config, new Dictionary<string, Tensor>(), new HfExportOptions()));
    }
}
