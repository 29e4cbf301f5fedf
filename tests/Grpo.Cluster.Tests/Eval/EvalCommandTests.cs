using System.Text.Json;
using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Client;
using Grpo.Client.Eval;
using Grpo.Client.Progress;
using Grpo.Cluster.Tests.Client;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Tasks;
using Grpo.Core.Training;
using Grpo.Grains.Runs;
using TorchSharp;

namespace Grpo.Cluster.Tests.Eval;

/// <summary>
/// grpo eval end to end on a tiny random policy written as a learner checkpoint by the test: the completions the
/// rollout engine produces are the policy's own greedy ones, scores and pass@k follow from them, and every unusable
/// input ends with exit code 2 and one message naming it.
/// </summary>
public sealed class EvalCommandTests : IDisposable
{
    // top_k = 1 makes sampling greedy, so the engine's completions can be compared with the policy's greedy ones.
    private static readonly RunConfig Config = new() { Seed = 11, HeldOutSize = 12, MaxCompletionTokens = 4, TopK = 1 };

    private readonly TemporaryFolder folder = new();
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private readonly StringWriter progressLines = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task The_report_holds_the_checkpoints_greedy_completions_and_pass_at_k_follows_from_their_scores()
    {
        var problems = new TaskExample[] { new("3+4=", "7"), new("12+30=", "42"), new("5+5=", "10") };
        var (checkpoint, greedy) = WriteCheckpoint("checkpoints", problems);
        // The first problem's answer is set to what the policy writes, so exactly that problem is solved.
        var dataset = Jsonl("problems.jsonl", problems.Select((p, i) => i == 0 ? p with { Answer = greedy[0] } : p));
        var report = Path.Combine(folder.Path, "out", "report.json");

        var code = await Run(new EvalOptions
        {
            CheckpointPath = Path.Combine(folder.Path, "checkpoints"), DatasetPath = dataset, K = [1, 2], Samples = 3, OutputPath = report,
        });

        Assert.True(code == ExitCodes.Success, error.ToString());
        var written = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(report));
        Assert.Equal(checkpoint, written.GetProperty("source").GetString());
        Assert.Equal(7, written.GetProperty("checkpointStep").GetInt64());
        Assert.Equal(3, written.GetProperty("problems").GetInt32());
        Assert.Equal(3, written.GetProperty("samplesPerProblem").GetInt32());
        var results = written.GetProperty("results").EnumerateArray().ToArray();
        for (var i = 0; i < problems.Length; i++)
        {
            var texts = results[i].GetProperty("completions").EnumerateArray().Select(c => c.GetProperty("text").GetString()).ToArray();
            Assert.Equal(new string?[] { greedy[i], greedy[i], greedy[i] }, texts);
        }

        var correct = results.Select(r => r.GetProperty("correct").GetInt32()).ToArray();
        Assert.Equal(3, correct[0]);
        // Problem 0 is solved by all three samples; the others only if the random policy happens to be right.
        var expectedCorrect = problems.Select((p, i) => i == 0 || greedy[i].Trim() == p.Answer ? 3 : 0).ToArray();
        Assert.Equal(expectedCorrect, correct);
        Assert.Equal(expectedCorrect.Average() / 3, written.GetProperty("passAtK").GetProperty("pass@1").GetDouble(), 9);
        Assert.Equal(expectedCorrect.Count(c => c == 3) / 3.0, written.GetProperty("passAtK").GetProperty("pass@2").GetDouble(), 9);
        Assert.Contains("pass@1", output.ToString());
        Assert.Contains($"report             {report}", output.ToString());
        Assert.Contains("eval: 3 problems x 3 samples 9/9 (100%)", progressLines.ToString());
    }

    [Fact]
    public async Task Eval_counts_correct_exactly_what_in_run_accuracy_counts_correct_whatever_the_training_reward_adds()
    {
        // Every completion earns the format bonus of weight 1, so each training reward is at least 1: a "reward >= 1"
        // rule would call every completion correct, where the task's answer check solves only the first problem.
        string[] overrides = [.. Overrides(), """rewards=[{"name": "answer"}, {"name": "format", "pattern": ".*"}]"""];
        var prompts = new TaskExample[] { new("3+4=", "7"), new("12+30=", "42"), new("5+5=", "10") };
        var (checkpoint, greedy) = WriteCheckpoint("checkpoints", prompts);
        var problems = prompts.Select((p, i) => p with { Answer = i == 0 ? greedy[0] : greedy[i].Trim() + "0" }).ToArray();
        var report = Path.Combine(folder.Path, "report.json");

        var code = await Run(new EvalOptions
        {
            CheckpointPath = checkpoint, DatasetPath = Jsonl("problems.jsonl", problems), Samples = 1, K = [1], OutputPath = report, Overrides = overrides,
        });

        Assert.True(code == ExitCodes.Success, error.ToString());
        var results = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(report)).GetProperty("results").EnumerateArray().ToArray();
        Assert.All(results, r => Assert.True(r.GetProperty("completions")[0].GetProperty("reward").GetSingle() >= 1));
        var assets = RunAssets.Create(RunConfigLoader.ApplyOverrides(new RunConfig(), overrides));
        var inRun = new int[problems.Length];
        for (var i = 0; i < problems.Length; i++)
            inRun[i] = (await PolicyEvaluator.ScoreAsync(assets.AnswerReward, [problems[i]], [greedy[i]])).Correct;
        Assert.Equal([1, 0, 0], inRun);
        Assert.Equal(inRun, results.Select(r => r.GetProperty("correct").GetInt32()));
    }

    [Fact]
    public async Task Without_a_dataset_the_configurations_held_out_set_is_evaluated()
    {
        WriteCheckpoint("checkpoints", []);
        var report = Path.Combine(folder.Path, "report.json");

        var code = await Run(new EvalOptions { CheckpointPath = Path.Combine(folder.Path, "checkpoints"), Overrides = Overrides(), Limit = 5, OutputPath = report });

        Assert.True(code == ExitCodes.Success, error.ToString());
        var written = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(report));
        var heldOut = RunAssets.Create(Config).HeldOut.Take(5).Select(e => e.Prompt).ToArray();
        Assert.Equal(heldOut, written.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("prompt").GetString()).ToArray());
        Assert.StartsWith("held-out set of task arithmetic", written.GetProperty("dataset").GetString());
    }

    [Fact]
    public async Task A_folder_without_a_checkpoint_is_refused()
    {
        Directory.CreateDirectory(Path.Combine(folder.Path, "empty"));

        var code = await Run(new EvalOptions { CheckpointPath = Path.Combine(folder.Path, "empty"), Overrides = Overrides() });

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.Equal($"grpo eval: '{Path.Combine(folder.Path, "empty")}' holds no complete checkpoint (a folder with trainer_state.json, model.safetensors and optimizer.safetensors).",
            error.ToString().TrimEnd());
    }

    [Fact]
    public async Task A_corrupt_checkpoint_is_refused_naming_the_file()
    {
        var (checkpoint, _) = WriteCheckpoint("checkpoints", []);
        var weights = Path.Combine(checkpoint, TrainingCheckpoint.ModelFileName);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);

        var code = await Run(new EvalOptions { CheckpointPath = checkpoint, Overrides = Overrides() });

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.StartsWith($"grpo eval: cannot load the policy from '{checkpoint}': Checkpoint '{checkpoint}' failed verification: file '{weights}' is corrupt", error.ToString());
    }

    [Fact]
    public async Task A_truncated_newest_checkpoint_is_passed_over_with_a_warning_naming_it_and_the_checkpoint_used()
    {
        var (older, _) = WriteCheckpoint("checkpoints", [], step: 7);
        var (newest, _) = WriteCheckpoint("checkpoints", [], step: 9);
        var weights = Path.Combine(newest, TrainingCheckpoint.ModelFileName);
        var recorded = new FileInfo(weights).Length;
        using (var file = new FileStream(weights, FileMode.Open)) file.SetLength(recorded - 16);
        var report = Path.Combine(folder.Path, "report.json");

        var code = await Run(new EvalOptions { CheckpointPath = Path.Combine(folder.Path, "checkpoints"), Overrides = Overrides(), Limit = 2, OutputPath = report });

        Assert.True(code == ExitCodes.Success, error.ToString());
        var warning = $"checkpoint '{newest}' failed verification: file '{weights}' is corrupt: {recorded - 16} bytes where "
                      + $"'{Path.Combine(newest, "trainer_state.json")}' records {recorded} (truncated or extended); using checkpoint '{older}' (step 7) instead";
        Assert.Equal("grpo eval: warning: " + warning, error.ToString().TrimEnd());
        Assert.StartsWith($"eval of checkpoint {older} (step 7)", output.ToString());
        var written = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(report));
        Assert.Equal(older, written.GetProperty("source").GetString());
        Assert.Equal(warning, written.GetProperty("checkpointWarning").GetString());
    }

    [Fact]
    public async Task When_no_checkpoint_passes_verification_eval_refuses_naming_each()
    {
        var (only, _) = WriteCheckpoint("checkpoints", [], step: 7);
        var optimizer = Path.Combine(only, TrainingCheckpoint.OptimizerFileName);
        File.Delete(optimizer);
        var root = Path.Combine(folder.Path, "checkpoints");

        var code = await Run(new EvalOptions { CheckpointPath = root, Overrides = Overrides() });

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.Equal($"grpo eval: no checkpoint under '{root}' passed verification (checkpoint '{only}' failed verification: file '{optimizer}' is missing; "
                     + "no older checkpoint passed verification); repair them, or move them aside to start the run over.", error.ToString().TrimEnd());
    }

    [Fact]
    public async Task A_checkpoint_of_another_model_shape_is_refused()
    {
        var (checkpoint, _) = WriteCheckpoint("checkpoints", []);

        var code = await Run(new EvalOptions { CheckpointPath = checkpoint, Overrides = [.. Overrides(), "model_preset=small"] });

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.StartsWith($"grpo eval: cannot load the policy from '{checkpoint}':", error.ToString());
    }

    [Fact]
    public async Task Checkpoints_of_several_runs_must_be_told_apart()
    {
        WriteCheckpoint(Path.Combine("all", "run-a"), []);
        WriteCheckpoint(Path.Combine("all", "run-b"), []);

        var code = await Run(new EvalOptions { CheckpointPath = Path.Combine(folder.Path, "all"), Overrides = Overrides() });

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.Contains("holds checkpoints of 2 runs (", error.ToString());
    }

    [Fact]
    public async Task A_dataset_line_that_is_not_json_is_named()
    {
        var (checkpoint, _) = WriteCheckpoint("checkpoints", []);
        var dataset = folder.File("bad.jsonl", "{\"question\": \"1+1=\", \"answer\": \"2\"}\n{not json\n");

        var code = await Run(new EvalOptions { CheckpointPath = checkpoint, Overrides = Overrides(), DatasetPath = dataset });

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.Contains(dataset, error.ToString());
        Assert.Contains("2", error.ToString());
    }

    [Fact]
    public async Task A_prompt_the_tokenizer_cannot_encode_is_named()
    {
        var (checkpoint, _) = WriteCheckpoint("checkpoints", []);
        var dataset = Jsonl("words.jsonl", [new("3+4=", "7"), new("what is three plus four?", "7")]);

        var code = await Run(new EvalOptions { CheckpointPath = checkpoint, Overrides = Overrides(), DatasetPath = dataset });

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.StartsWith($"grpo eval: problem 2 of {dataset} cannot be tokenized:", error.ToString());
    }

    [Fact]
    public async Task A_model_directory_the_task_cannot_use_is_refused()
    {
        var model = Directory.CreateDirectory(Path.Combine(folder.Path, "model")).FullName;

        var code = await Run(new EvalOptions { ModelPath = model, Overrides = Overrides() });

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.StartsWith("grpo eval: ", error.ToString());
        Assert.Contains("model", error.ToString());
    }

    [Fact]
    public async Task A_report_that_cannot_be_written_fails_after_printing_the_scores()
    {
        var (checkpoint, _) = WriteCheckpoint("checkpoints", []);
        var blocker = folder.File("file", "not a folder");

        var code = await Run(new EvalOptions { CheckpointPath = checkpoint, Overrides = Overrides(), Limit = 2, OutputPath = Path.Combine(blocker, "report.json") });

        Assert.Equal(ExitCodes.RunFailed, code);
        Assert.Contains("pass@1", output.ToString());
        Assert.StartsWith($"grpo eval: cannot write the report to '{Path.Combine(blocker, "report.json")}'", error.ToString());
    }

    private static string[] Overrides() => ["seed=11", "held_out_size=12", "max_completion_tokens=4", "top_k=1"];

    private async Task<int> Run(EvalOptions options)
    {
        var arguments = EvalArguments.Resolve(options.Overrides.Count == 0 ? options with { Overrides = Overrides() } : options);
        var command = new EvalCommand(new PlainActionProgressView(progressLines), output, error);
        return await command.RunAsync(arguments, CancellationToken.None);
    }

    private string Jsonl(string name, IEnumerable<TaskExample> problems) =>
        folder.File(name, string.Concat(problems.Select(p => JsonSerializer.Serialize(new { question = p.Prompt, answer = p.Answer }) + "\n")));

    /// <summary>A random tiny policy saved as a learner checkpoint, and its greedy completions of <paramref name="problems"/>.</summary>
    private (string Checkpoint, string[] Greedy) WriteCheckpoint(string root, IReadOnlyList<TaskExample> problems, long step = 7)
    {
        var assets = RunAssets.Create(Config);
        torch.manual_seed(1234);
        using var model = new CausalLM(assets.Model);
        model.eval();
        var greedy = PolicyEvaluator.GenerateGreedy(model, assets.Codec, problems, Config.MaxCompletionTokens, batchSize: 8, assets.PadTokenId);
        var state = new TrainingState(step, step, step, [], new Dictionary<string, string>());
        var checkpoint = TrainingCheckpoint.Save(Path.Combine(folder.Path, root), model, new Dictionary<string, torch.Tensor>(), state, keepLast: 2);
        return (checkpoint, greedy);
    }
}
