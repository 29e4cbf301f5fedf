using System.Text.Json;
using Grpo.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class TrainingCheckpointTests
{
    static Dictionary<string, Tensor> OptimizerState(nn.Module module, float scale) =>
        module.state_dict().SelectMany(p => new[]
        {
            ("exp_avg." + p.Key, (full_like(p.Value, scale)).detach()),
            ("exp_avg_sq." + p.Key, (full_like(p.Value, scale * scale)).detach()),
        }).ToDictionary(p => p.Item1, p => p.Item2);

    static TrainingState State(long step, byte[]? rng = null) =>
        new(step, PolicyVersion: step / 2, DataCursor: step * 16, rng ?? [1, 2, 3], new Dictionary<string, string> { ["run_id"] = "run-7", ["config_hash"] = "abc123" });

    [Fact]
    public void SaveThenLoadRestoresWeightsOptimizerStateAndCounters()
    {
        using var root = new TempFolder();
        using var saved = new TinyLanguageModel(1);
        using var restored = new TinyLanguageModel(2);
        var optimizer = OptimizerState(saved, 0.25f);
        using var generator = new Generator(1234);
        var state = State(17, TrainingCheckpoint.CaptureRng(generator));

        var folder = TrainingCheckpoint.Save(root.Path, saved, optimizer, state, keepLast: 3);
        var loaded = TrainingCheckpoint.Load(folder, restored);

        Assert.Equal(Path.Combine(root.Path, "step-00000017"), folder);
        foreach (var (name, parameter) in saved.state_dict())
            TensorAssert.Identical(parameter, restored.state_dict()[name], name);
        Assert.Equal(optimizer.Keys.Order(), loaded.OptimizerState.Keys.Order());
        foreach (var (name, moment) in optimizer)
            TensorAssert.Identical(moment, loaded.OptimizerState[name], name);
        Assert.Equal(17, loaded.State.Step);
        Assert.Equal(8, loaded.State.PolicyVersion);
        Assert.Equal(272, loaded.State.DataCursor);
        Assert.Equal(state.RngState, loaded.State.RngState);
        Assert.Equal(state.Extra, loaded.State.Extra);
    }

    [Fact]
    public void CheckpointFolderIsAlsoAWeightFolderWithTrainerState()
    {
        using var root = new TempFolder();
        using var model = new TinyLanguageModel(1);

        var folder = TrainingCheckpoint.Save(root.Path, model, OptimizerState(model, 1f), State(5), keepLast: 1);

        var weights = SafeTensors.LoadDirectory(folder);
        Assert.Equal(model.state_dict().Keys.Order(), weights.Keys.Order());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "trainer_state.json")));
        var rootElement = json.RootElement;
        Assert.Equal(1, rootElement.GetProperty("format_version").GetInt32());
        Assert.Equal(5, rootElement.GetProperty("step").GetInt64());
        Assert.Equal(Convert.ToBase64String([1, 2, 3]), rootElement.GetProperty("rng_state").GetString());
        var modelDigest = rootElement.GetProperty("files").GetProperty("model.safetensors").GetProperty("sha256").GetString();
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, "model.safetensors")))), modelDigest);
        Assert.Empty(Directory.GetDirectories(root.Path, "*.tmp-*"));
    }

    [Fact]
    public void RestoredRngDrawsTheSameNumbersAsAfterCapture()
    {
        using var root = new TempFolder();
        using var model = new TinyLanguageModel(1);
        using var generator = new Generator(99);
        using var warmUp = rand(5, generator: generator);
        var captured = TrainingCheckpoint.CaptureRng(generator);
        using var expected = rand(7, generator: generator);
        var folder = TrainingCheckpoint.Save(root.Path, model, OptimizerState(model, 1f), State(3, captured), keepLast: 1);
        using var drift = rand(11, generator: generator);

        var loaded = TrainingCheckpoint.Load(folder, model);
        TrainingCheckpoint.RestoreRng(generator, loaded.State.RngState);

        using var actual = rand(7, generator: generator);
        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
    }

    [Fact]
    public void RestoringAStateOfTheWrongSizeIsRefused()
    {
        using var generator = new Generator(1);
        var error = Assert.Throws<ArgumentException>(() => TrainingCheckpoint.RestoreRng(generator, [1, 2, 3]));
        Assert.Contains("3 bytes", error.Message);
    }

    [Fact]
    public void KeepLastDeletesOlderCheckpointsOnly()
    {
        using var root = new TempFolder();
        using var model = new TinyLanguageModel(1);
        var optimizer = OptimizerState(model, 1f);

        foreach (var step in new long[] { 10, 20, 30, 40 })
            TrainingCheckpoint.Save(root.Path, model, optimizer, State(step), keepLast: 2);

        Assert.Equal(["step-00000030", "step-00000040"], Directory.GetDirectories(root.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SavingTheSameStepAgainReplacesIt()
    {
        using var root = new TempFolder();
        using var model = new TinyLanguageModel(1);
        TrainingCheckpoint.Save(root.Path, model, OptimizerState(model, 1f), State(8), keepLast: 2);

        var folder = TrainingCheckpoint.Save(root.Path, model, OptimizerState(model, 2f), State(8), keepLast: 2);

        using var reloaded = new TinyLanguageModel(3);
        var loaded = TrainingCheckpoint.Load(folder, reloaded);
        Assert.Equal(2f, loaded.OptimizerState["exp_avg.model.proj.bias"].data<float>()[0]);
        Assert.Equal(["step-00000008"], Directory.GetDirectories(root.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void FindLatestIgnoresTemporaryAndIncompleteFolders()
    {
        using var root = new TempFolder();
        using var model = new TinyLanguageModel(1);
        Assert.Null(TrainingCheckpoint.FindLatest(root.Path));
        var complete = TrainingCheckpoint.Save(root.Path, model, OptimizerState(model, 1f), State(20), keepLast: 5);
        // A crash mid-save leaves a temporary folder; a crash of a foreign copy can leave a folder without trainer state.
        var leftover = Path.Combine(root.Path, "step-00000030.tmp-0123456789abcdef");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "trainer_state.json"), "{}");
        Directory.CreateDirectory(Path.Combine(root.Path, "step-00000040"));
        var truncated = TrainingCheckpoint.Save(root.Path, model, OptimizerState(model, 1f), State(50), keepLast: 5);
        using (var stream = new FileStream(Path.Combine(truncated, "model.safetensors"), FileMode.Open))
            stream.SetLength(stream.Length - 1);

        Assert.Equal(complete, TrainingCheckpoint.FindLatest(root.Path));
        Assert.Null(TrainingCheckpoint.FindLatest(Path.Combine(root.Path, "absent")));
    }

    [Fact]
    public void FlippedByteInModelFileIsReportedWithTheFileName()
    {
        using var root = new TempFolder();
        using var model = new TinyLanguageModel(1);
        var folder = TrainingCheckpoint.Save(root.Path, model, OptimizerState(model, 1f), State(1), keepLast: 1);
        var modelPath = Path.Combine(folder, "model.safetensors");
        var bytes = File.ReadAllBytes(modelPath);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(modelPath, bytes);
        using var target = new TinyLanguageModel(2);
        var before = target.state_dict()["model.proj.weight"].clone();

        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(folder, target));

        Assert.Contains(modelPath, error.Message);
        Assert.Contains("corrupt", error.Message);
        TensorAssert.Identical(before, target.state_dict()["model.proj.weight"], "model.proj.weight");
    }

    [Fact]
    public void CheckpointOfADifferentModelNamesTheMismatchedTensor()
    {
        using var root = new TempFolder();
        using var model = new TinyLanguageModel(1);
        var folder = TrainingCheckpoint.Save(root.Path, model, OptimizerState(model, 1f), State(1), keepLast: 1);
        using var other = nn.Sequential(("proj", nn.Linear(3, 2)));

        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(folder, other));

        Assert.Contains(Path.Combine(folder, "model.safetensors"), error.Message);
        Assert.Contains("'model.proj.weight'", error.Message);
    }

    [Fact]
    public void MissingTrainerStateIsReported()
    {
        using var root = new TempFolder();
        using var model = new TinyLanguageModel(1);
        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(root.Path, model));
        Assert.Contains("trainer_state.json", error.Message);
    }
}
