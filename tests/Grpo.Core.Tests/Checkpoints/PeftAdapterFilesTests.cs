using System.Text.Json.Nodes;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Tests.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class PeftAdapterFilesTests
{
    static readonly LoraOptions Options = new() { Rank = 4, Alpha = 16, Dropout = 0.05, TargetModules = ["q_proj", "v_proj", "up_proj"] };

    static CausalLM TrainedLookingModel(int seed = 3)
    {
        var model = TestModels.Create(TestModels.Qwen2());
        model.ApplyLora(Options);
        using var noGrad = no_grad();
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        foreach (var (_, value) in model.AdapterStateDict())
            value.copy_(randn(value.shape, generator: generator));
        return model;
    }

    [Fact]
    public void AnAdapterFolderRoundTripsExactlyInPeftsLayout()
    {
        using var folder = new TempFolder();
        using var source = TrainedLookingModel();
        PeftAdapterFiles.Save(folder.Path, source, "Qwen/Qwen2.5-0.5B-Instruct");

        var config = JsonNode.Parse(File.ReadAllText(folder.File(PeftAdapterConfig.FileName)))!.AsObject();
        Assert.Equal("LORA", (string?)config["peft_type"]);
        Assert.Equal("CAUSAL_LM", (string?)config["task_type"]);
        Assert.Equal(4, (int?)config["r"]);
        Assert.Equal(16.0, (double?)config["lora_alpha"]);
        Assert.Equal(0.05, (double?)config["lora_dropout"]);
        Assert.Equal("none", (string?)config["bias"]);
        Assert.Equal("Qwen/Qwen2.5-0.5B-Instruct", (string?)config["base_model_name_or_path"]);
        Assert.Equal(["q_proj", "v_proj", "up_proj"], config["target_modules"]!.AsArray().Select(n => (string)n!));

        var stored = SafeTensors.Load(folder.File(PeftAdapterFiles.WeightsFileName));
        try
        {
            Assert.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", stored.Keys);
            Assert.Equal(source.AdapterStateDict().Count, stored.Count);
            Assert.All(stored.Keys, key => Assert.StartsWith(PeftAdapterFiles.KeyPrefix, key));
        }
        finally
        {
            foreach (var tensor in stored.Values) tensor.Dispose();
        }

        using var target = TestModels.Create(TestModels.Qwen2());
        target.ApplyLora(Options);
        var read = PeftAdapterFiles.LoadInto(folder.Path, target);
        Assert.Equal(Options.Rank, read.Options.Rank);
        Assert.Equal(Options.Alpha, read.Options.Alpha);
        Assert.Equal(Options.Dropout, read.Options.Dropout);
        Assert.Equal(Options.TargetModules, read.Options.TargetModules);
        var expected = source.AdapterStateDict();
        foreach (var (name, value) in target.AdapterStateDict())
            TensorAssert.Identical(expected[name], value, name);
    }

    static void WriteConfig(TempFolder folder, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(new PeftAdapterConfig(Options, null).ToJson())!.AsObject();
        edit(json);
        File.WriteAllText(folder.File(PeftAdapterConfig.FileName), json.ToJsonString());
    }

    public static TheoryData<string, string> BadConfigs => new()
    {
        { """{"peft_type": "PREFIX_TUNING"}""", "field 'peft_type' = 'PREFIX_TUNING'" },
        { """{"target_modules": "q_proj|v_proj"}""", "field 'target_modules' must be a list" },
        { """{"target_modules": ["q_proj", "lm_head"]}""", "names 'lm_head'" },
        { """{"bias": "all"}""", "field 'bias' = 'all'" },
        { """{"use_dora": true}""", "field 'use_dora' = true" },
        { """{"r": 2.5}""", "field 'r' must be an integer" },
        { """{"r": 0}""", "rank must be positive" },
        { """{"rank_pattern": {"q_proj": 8}}""", "field 'rank_pattern'" },
        { """{"task_type": "SEQ_CLS"}""", "field 'task_type' = 'SEQ_CLS'" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void ABadConfigIsRefusedNamingTheFileAndField(string patch, string expected)
    {
        using var folder = new TempFolder();
        WriteConfig(folder, json =>
        {
            foreach (var (key, value) in JsonNode.Parse(patch)!.AsObject())
                json[key] = value?.DeepClone();
        });
        var error = Assert.Throws<InvalidDataException>(() => PeftAdapterConfig.Load(folder.Path));
        Assert.Contains(folder.File(PeftAdapterConfig.FileName), error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AMissingConfigNamesTheFolder()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => PeftAdapterConfig.Load(folder.Path));
        Assert.Contains(PeftAdapterConfig.FileName, error.Message);
        Assert.Contains(folder.Path, error.Message);
    }

    [Fact]
    public void AWeightWithoutPeftsPrefixIsRefusedByName()
    {
        using var folder = new TempFolder();
        using var source = TrainedLookingModel();
        PeftAdapterFiles.Save(folder.Path, source);
        var tensors = source.AdapterStateDict().ToDictionary(p => PeftAdapterFiles.KeyPrefix + p.Key, p => p.Value);
        tensors["model.layers.0.self_attn.q_proj.lora_A.weight"] = tensors["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"];
        SafeTensors.Save(folder.File(PeftAdapterFiles.WeightsFileName), tensors);
        var error = Assert.Throws<InvalidDataException>(() => PeftAdapterFiles.LoadWeights(folder.Path));
        Assert.Contains(PeftAdapterFiles.WeightsFileName, error.Message);
        Assert.Contains("'model.layers.0.self_attn.q_proj.lora_A.weight'", error.Message);
    }

    [Fact]
    public void AnAdapterOfAnotherRankIsRefusedByField()
    {
        using var folder = new TempFolder();
        using var source = TrainedLookingModel();
        PeftAdapterFiles.Save(folder.Path, source);
        using var target = TestModels.Create(TestModels.Qwen2());
        target.ApplyLora(Options with { Rank = 8 });
        var error = Assert.Throws<InvalidDataException>(() => PeftAdapterFiles.LoadInto(folder.Path, target));
        Assert.Contains("field 'r' = 4", error.Message);
        Assert.Contains("rank 8", error.Message);
    }

    [Fact]
    public void AnAdapterFileMissingATensorLeavesTheModelUntouched()
    {
        using var folder = new TempFolder();
        using var source = TrainedLookingModel();
        PeftAdapterFiles.Save(folder.Path, source);
        var tensors = source.AdapterStateDict().ToDictionary(p => PeftAdapterFiles.KeyPrefix + p.Key, p => p.Value);
        tensors.Remove("base_model.model.model.layers.1.mlp.up_proj.lora_B.weight");
        SafeTensors.Save(folder.File(PeftAdapterFiles.WeightsFileName), tensors);

        using var target = TestModels.Create(TestModels.Qwen2());
        target.ApplyLora(Options);
        var error = Assert.Throws<InvalidDataException>(() => PeftAdapterFiles.LoadInto(folder.Path, target));
        Assert.Contains("missing tensor 'model.layers.1.mlp.up_proj.lora_B.weight'", error.Message);
        using var untouched = target.AdapterStateDict()["model.layers.0.self_attn.v_proj.lora_B.weight"].abs().sum();
        Assert.Equal(0f, untouched.item<float>());
    }
}
