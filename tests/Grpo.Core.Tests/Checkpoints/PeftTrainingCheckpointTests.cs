using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Tests.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class PeftTrainingCheckpointTests
{
    static readonly LoraOptions Options = new() { Rank = 2, Alpha = 4 };

    static TrainingState State(long step) => new(step, PolicyVersion: step, DataCursor: step * 8, [9, 9], new Dictionary<string, string> { ["run_id"] = "lora" });

    static CausalLM LoraModel(int adapterSeed)
    {
        var model = TestModels.Create(TestModels.Qwen3());
        model.ApplyLora(Options);
        using var noGrad = no_grad();
        using var generator = new TorchSharp.torch.Generator((ulong)adapterSeed);
        foreach (var (_, value) in model.AdapterStateDict())
            value.copy_(randn(value.shape, generator: generator));
        return model;
    }

    static Dictionary<string, Tensor> Moments(CausalLM model) =>
        model.AdapterStateDict().ToDictionary(p => "exp_avg." + p.Key, p => full_like(p.Value, 0.5f).detach());

    [Fact]
    public void A_lora_checkpoint_is_a_peft_adapter_folder_with_optimizer_and_trainer_state_and_loads_back()
    {
        using var root = new TempFolder();
        using var saved = LoraModel(1);
        var moments = Moments(saved);
        var folder = TrainingCheckpoint.Save(root.Path, saved, moments, State(6), keepLast: 2, baseModelNameOrPath: "/models/qwen3");
        foreach (var tensor in moments.Values) tensor.Dispose();

        Assert.True(TrainingCheckpoint.IsLora(folder));
        Assert.Equal(
            [PeftAdapterConfig.FileName, PeftAdapterFiles.WeightsFileName, TrainingCheckpoint.OptimizerFileName, TrainerStateFile.FileName],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("/models/qwen3", PeftAdapterConfig.Load(folder).BaseModelNameOrPath);

        using var restored = LoraModel(2);
        var loaded = TrainingCheckpoint.Load(folder, restored);
        Assert.Equal(6, loaded.State.Step);
        Assert.Equal(saved.AdapterStateDict().Count, loaded.OptimizerState.Count);
        foreach (var tensor in loaded.OptimizerState.Values) tensor.Dispose();
        var expected = saved.AdapterStateDict();
        foreach (var (name, value) in restored.AdapterStateDict())
            TensorAssert.Identical(expected[name], value, name);
    }

    [Fact]
    public void A_lora_checkpoint_and_a_full_one_refuse_the_other_kind_of_model()
    {
        using var root = new TempFolder();
        using var adapted = LoraModel(1);
        var moments = Moments(adapted);
        var loraFolder = TrainingCheckpoint.Save(Path.Combine(root.Path, "lora"), adapted, moments, State(2), keepLast: 1);
        foreach (var tensor in moments.Values) tensor.Dispose();
        using var plain = TestModels.Create(TestModels.Qwen3());
        var fullFolder = TrainingCheckpoint.Save(Path.Combine(root.Path, "full"), plain, new Dictionary<string, Tensor>(), State(2), keepLast: 1);

        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(loraFolder, plain));
        Assert.Contains("holds LoRA adapters", error.Message);
        Assert.Contains(loraFolder, error.Message);
        error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(fullFolder, adapted));
        Assert.Contains("the model trains LoRA adapters", error.Message);
        Assert.False(TrainingCheckpoint.IsLora(fullFolder));
    }

    [Fact]
    public void A_tampered_adapter_config_fails_the_checksum()
    {
        using var root = new TempFolder();
        using var adapted = LoraModel(1);
        var folder = TrainingCheckpoint.Save(root.Path, adapted, new Dictionary<string, Tensor>(), State(4), keepLast: 1);
        File.AppendAllText(Path.Combine(folder, PeftAdapterConfig.FileName), " ");

        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(folder, adapted));
        Assert.Contains(PeftAdapterConfig.FileName, error.Message);
        Assert.Contains("corrupt", error.Message);
    }
}
