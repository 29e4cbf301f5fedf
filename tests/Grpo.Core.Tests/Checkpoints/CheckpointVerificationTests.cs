using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Grpo.Core.Checkpoints;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

/// <summary>
/// Which checkpoint a resume, eval or export uses: the newest whose files all match their SHA-256, every newer one
/// named with the file at fault, and none when only bad ones exist.
/// </summary>
public sealed class CheckpointVerificationTests
{
    static Dictionary<string, Tensor> OptimizerState(nn.Module module) =>
        module.state_dict().ToDictionary(p => "exp_avg." + p.Key, p => full_like(p.Value, 0.5f).detach());

    static TrainingState State(long step) => new(step, step, step, [], new Dictionary<string, string>());

    static string Save(TempFolder root, long step)
    {
        using var model = new TinyLanguageModel((int)step);
        return TrainingCheckpoint.Save(root.Path, model, OptimizerState(model), State(step), keepLast: 10);
    }

    static void Truncate(string file)
    {
        using var stream = new FileStream(file, FileMode.Open);
        stream.SetLength(stream.Length / 2);
    }

    static void FlipLastByte(string file)
    {
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0x5A;
        File.WriteAllBytes(file, bytes);
    }

    [Fact]
    public void AnIntactNewestCheckpointIsChosenWithNoWarning()
    {
        using var root = new TempFolder();
        Save(root, 2);
        var newest = Save(root, 4);

        var choice = TrainingCheckpoint.ChooseNewest(root.Path);

        Assert.Equal((newest, 4L), (choice.Path, choice.Step));
        Assert.Empty(choice.Rejected);
        Assert.Null(choice.Warning);
        Assert.Null(TrainingCheckpoint.Verify(newest));
    }

    [Fact]
    public void ATruncatedNewestCheckpointIsPassedOverNamingTheFileAndTheCheckpointUsed()
    {
        using var root = new TempFolder();
        var older = Save(root, 2);
        var newest = Save(root, 4);
        var model = Path.Combine(newest, TrainingCheckpoint.ModelFileName);
        var recorded = new FileInfo(model).Length;
        Truncate(model);

        var choice = TrainingCheckpoint.ChooseNewest(root.Path);

        Assert.Equal((older, 2L), (choice.Path, choice.Step));
        var rejected = Assert.Single(choice.Rejected);
        Assert.Equal((newest, 4L), (rejected.Path, rejected.Step));
        Assert.Equal($"file '{model}' is corrupt: {recorded / 2} bytes where '{Path.Combine(newest, "trainer_state.json")}' records {recorded} (truncated or extended)",
            rejected.Reason);
        Assert.Equal($"checkpoint '{newest}' failed verification: {rejected.Reason}; using checkpoint '{older}' (step 2) instead", choice.Warning);
        Assert.Equal(older, TrainingCheckpoint.FindLatest(root.Path));
    }

    [Fact]
    public void ACorruptFileOfTheRecordedSizeIsCaughtByItsChecksum()
    {
        using var root = new TempFolder();
        var older = Save(root, 2);
        var newest = Save(root, 4);
        var optimizer = Path.Combine(newest, TrainingCheckpoint.OptimizerFileName);
        var length = new FileInfo(optimizer).Length;
        FlipLastByte(optimizer);

        var choice = TrainingCheckpoint.ChooseNewest(root.Path);

        Assert.Equal(length, new FileInfo(optimizer).Length);
        Assert.Equal(older, choice.Path);
        Assert.StartsWith($"file '{optimizer}' is corrupt: SHA-256 ", Assert.Single(choice.Rejected).Reason);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        using var root = new TempFolder();
        Save(root, 2);
        var newest = Save(root, 4);
        var optimizer = Path.Combine(newest, TrainingCheckpoint.OptimizerFileName);
        File.Delete(optimizer);

        Assert.Equal($"file '{optimizer}' is missing", TrainingCheckpoint.Verify(newest));
    }

    [Fact]
    public void AFolderWithoutTrainerStateHasNoChecksumsAndIsNamedNotLoaded()
    {
        using var root = new TempFolder();
        var older = Save(root, 2);
        var copied = Path.Combine(root.Path, "step-00000009");
        Directory.CreateDirectory(copied);
        File.Copy(Path.Combine(older, TrainingCheckpoint.ModelFileName), Path.Combine(copied, TrainingCheckpoint.ModelFileName));

        var choice = TrainingCheckpoint.ChooseNewest(root.Path);

        Assert.Equal(older, choice.Path);
        var rejected = Assert.Single(choice.Rejected);
        Assert.Equal(copied, rejected.Path);
        Assert.Contains("has no 'trainer_state.json', so no checksums", rejected.Reason);
    }

    [Fact]
    public void ATrainerStateThatListsNoFilesHasNoChecksumsAndIsRefused()
    {
        using var root = new TempFolder();
        var folder = Save(root, 3);
        var statePath = Path.Combine(folder, "trainer_state.json");
        var state = JsonNode.Parse(File.ReadAllText(statePath))!.AsObject();
        state["files"] = new JsonObject();
        File.WriteAllText(statePath, state.ToJsonString());

        Assert.Equal($"'{statePath}' lists no files, so no checksums", TrainingCheckpoint.Verify(folder));
        using var model = new TinyLanguageModel(1);
        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(folder, model));
        Assert.Equal($"Checkpoint '{folder}' failed verification: '{statePath}' lists no files, so no checksums", error.Message);
    }

    [Fact]
    public void ATrainerStateThatIsNotJsonIsNamed()
    {
        using var root = new TempFolder();
        var folder = Save(root, 3);
        var statePath = Path.Combine(folder, "trainer_state.json");
        File.WriteAllText(statePath, "{ \"step\": ");

        Assert.StartsWith($"Trainer state '{statePath}' is not valid JSON", TrainingCheckpoint.Verify(folder));
    }

    [Fact]
    public void WhenEveryCheckpointFailsNoneIsChosenAndTheRefusalNamesEach()
    {
        using var root = new TempFolder();
        var first = Save(root, 2);
        var second = Save(root, 4);
        Truncate(Path.Combine(first, TrainingCheckpoint.ModelFileName));
        FlipLastByte(Path.Combine(second, TrainingCheckpoint.ModelFileName));

        var choice = TrainingCheckpoint.ChooseNewest(root.Path);

        Assert.True(choice.OnlyBadCheckpoints);
        Assert.Null(choice.Path);
        Assert.Equal([second, first], choice.Rejected.Select(r => r.Path));
        var refusal = choice.Refusal(root.Path);
        Assert.StartsWith($"no checkpoint under '{root.Path}' passed verification (checkpoint '{second}' failed verification: ", refusal);
        Assert.Contains($"checkpoint '{first}' failed verification: file '{Path.Combine(first, TrainingCheckpoint.ModelFileName)}' is corrupt: ", refusal);
        Assert.EndsWith("; no older checkpoint passed verification); repair them, or move them aside to start the run over", refusal);
    }

    [Fact]
    public void NoFolderOrAnEmptyOneChoosesNothingWithoutComplaint()
    {
        using var root = new TempFolder();

        Assert.Equal(CheckpointChoice.None, TrainingCheckpoint.ChooseNewest(Path.Combine(root.Path, "absent")));
        var empty = TrainingCheckpoint.ChooseNewest(root.Path);
        Assert.False(empty.OnlyBadCheckpoints);
        Assert.Null(empty.Path);
        Assert.Null(empty.Warning);
    }

    [Fact]
    public void LoadRefusesATruncatedCheckpointNamingTheFileAndLeavesTheModelAsItWas()
    {
        using var root = new TempFolder();
        var folder = Save(root, 2);
        var model = Path.Combine(folder, TrainingCheckpoint.ModelFileName);
        Truncate(model);
        using var target = new TinyLanguageModel(9);
        var before = target.state_dict()["model.proj.weight"].clone();

        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(folder, target));

        Assert.StartsWith($"Checkpoint '{folder}' failed verification: file '{model}' is corrupt: ", error.Message);
        Assert.EndsWith("(truncated or extended)", error.Message);
        TensorAssert.Identical(before, target.state_dict()["model.proj.weight"], "model.proj.weight");
    }

    [Fact]
    public void SavingAgainTheStepOfAFolderThatFailedVerificationKeepsTheBadFolderAside()
    {
        using var root = new TempFolder();
        var folder = Save(root, 4);
        var model = Path.Combine(folder, TrainingCheckpoint.ModelFileName);
        FlipLastByte(model);
        var badBytes = File.ReadAllBytes(model);

        var again = Save(root, 4);

        Assert.Equal(folder, again);
        Assert.Null(TrainingCheckpoint.Verify(again));
        var kept = Assert.Single(Directory.GetDirectories(root.Path, "step-00000004" + TrainingCheckpoint.FailedVerificationSuffix + "*"));
        Assert.Equal(badBytes, File.ReadAllBytes(Path.Combine(kept, TrainingCheckpoint.ModelFileName)));
        Assert.Equal(folder, TrainingCheckpoint.ChooseNewest(root.Path).Path);
    }

    [Fact, UnsupportedOSPlatform("windows")]
    public void CheckpointFilesAre0600AndFolders0700()
    {
        using var root = new TempFolder();
        var runFolder = Path.Combine(root.Path, "checkpoints", "run-1");

        using var model = new TinyLanguageModel(1);
        var folder = TrainingCheckpoint.Save(runFolder, model, OptimizerState(model), State(1), keepLast: 1);

        Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(runFolder));
        Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(Path.Combine(root.Path, "checkpoints")));
        Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(folder));
        var files = Directory.GetFiles(folder);
        Assert.Equal(["model.safetensors", "optimizer.safetensors", "trainer_state.json"], files.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(files, file => Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(file)));
    }

    [Fact, UnsupportedOSPlatform("windows")]
    public void RestrictMakesAWholeTreePrivateAndCreateFolderKeepsAnExistingFoldersMode()
    {
        using var root = new TempFolder();
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                   | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        var export = Path.Combine(root.Path, "final-model");
        Directory.CreateDirectory(Path.Combine(export, "nested"), open);
        var file = Path.Combine(export, "nested", "config.json");
        File.WriteAllText(file, "{}");
        File.SetUnixFileMode(file, open);

        PrivateFiles.Restrict(export);

        Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(export));
        Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(Path.Combine(export, "nested")));
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(file));
        File.SetUnixFileMode(root.Path, open);
        PrivateFiles.CreateFolder(root.Path);
        Assert.Equal(open, File.GetUnixFileMode(root.Path));
    }
}
