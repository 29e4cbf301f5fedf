using System.Diagnostics;
using Grpo.Core.Tasks;
using Grpo.Core.Training;
using Grpo.Client.Progress;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using Grpo.Grains.Runs.Components;

namespace Grpo.Client.Eval;

/// <summary>
/// Evaluates one policy: the problems' prompts go through a <see cref="RolloutEngine"/> (the code path rollout silos
/// use, batched the same way) fed by an in-process weight source, every completion is scored by the run's reward and
/// judged correct by the task's answer check as in-run accuracy is (<see cref="PolicyEvaluator.JudgeAsync"/>), and
/// pass@k is estimated from the correct count of each problem.
/// </summary>
public static class EvalRunner
{
    /// <summary>The key the evaluated policy is known by inside the engine.</summary>
    private const string EvalRunId = "eval";

    /// <exception cref="EvalInputException">The task, the dataset or the weights cannot be used.</exception>
    public static async Task<EvalReport> RunAsync(EvalArguments arguments, IActionProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(progress);
        var config = arguments.Config;
        var cache = new RunAssetsCache();

        progress.Phase("preparing tokenizer and data");
        RunAssets assets;
        try
        {
            assets = cache.Get(EvalRunId, config);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidDataException or IOException or ArgumentException)
        {
            throw new EvalInputException($"cannot prepare the task '{config.Task.Name}': {e.Message}", e);
        }

        var (problems, datasetName) = Problems(arguments, assets);
        if (problems.Count == 0)
            throw new EvalInputException($"{datasetName} has no problems to evaluate.");

        progress.Phase($"loading {arguments.SourceKind} {arguments.Source}");
        var weights = PolicyWeights.Load(arguments, assets);
        // A whole model's weights are served by a plain model even under a LoRA configuration, whose engine expects adapters only.
        var serving = weights.Adapters || config.LoraRank == 0 ? config : config with { LoraRank = 0 };

        progress.Phase("starting the rollout engine");
        var source = new InMemoryWeightSource();
        source.Publish(EvalRunId, 0, weights.Image);
        var clock = Stopwatch.StartNew();
        await using var engine = new RolloutEngine(source, cache, new RolloutEngineOptions
        {
            WorkerName = "grpo-eval",
            SamplingSalt = (ulong)config.Seed,
            Device = arguments.Device.ToTorch(),
        });

        var total = (long)problems.Count * arguments.Samples;
        long done = 0;
        var description = $"{problems.Count} problems x {arguments.Samples} samples";
        progress.Advance(description, 0, total);
        var results = await Task.WhenAll(problems.Select(async (problem, index) =>
        {
            var prompt = Encode(assets, problem, index, datasetName);
            var completions = await Task.WhenAll(Enumerable.Range(0, arguments.Samples).Select(async _ =>
            {
                Task<RolloutOutput> generating;
                try
                {
                    generating = engine.GenerateAsync(EvalRunId, serving, prompt, minPolicyVersion: 0, cancellationToken);
                }
                catch (ArgumentException e)
                {
                    // The engine checks each prompt against the model (vocabulary, positions) before queueing it.
                    throw new EvalInputException($"problem {index + 1} of {datasetName}: {e.Message}", e);
                }

                var output = await generating;
                var text = assets.Codec.DecodeCompletion(output.Tokens);
                // Correct means what in-run accuracy means: the task's answer check, not the weighted training reward.
                var verdict = await PolicyEvaluator.JudgeAsync(assets.Reward, assets.AnswerReward, problem, text, cancellationToken);
                progress.Advance(description, Interlocked.Increment(ref done), total);
                return new EvalCompletion(text, verdict.Reward, verdict.Correct, output.Tokens.Length, output.FinishReason == Core.Generation.FinishReason.Length);
            }));
            return new EvalProblem(index, problem.Prompt, problem.Answer, completions.Count(c => c.Correct), completions);
        }));
        var seconds = clock.Elapsed.TotalSeconds;

        var correct = results.Select(r => r.Correct).ToArray();
        var tokens = results.Sum(r => r.Completions.Sum(c => (long)c.Tokens));
        return new EvalReport(
            weights.Folder, arguments.SourceKind, weights.Step, datasetName, problems.Count, arguments.Samples, config.Temperature,
            arguments.K.ToDictionary(k => $"pass@{k}", k => PassAtK.Mean(correct, arguments.Samples, k)),
            results.Average(r => r.Completions.Average(c => (double)c.Reward)),
            tokens, seconds, seconds > 0 ? tokens / seconds : 0, results, weights.CheckpointWarning);
    }

    private static int[] Encode(RunAssets assets, TaskExample problem, int index, string datasetName)
    {
        try
        {
            return assets.Codec.EncodePrompt(problem.Prompt);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException)
        {
            throw new EvalInputException($"problem {index + 1} of {datasetName} cannot be tokenized: {e.Message}", e);
        }
    }

    private static string Or(string value, string fallback) => value.Length > 0 ? value : fallback;

    private static (IReadOnlyList<TaskExample> Problems, string Name) Problems(EvalArguments arguments, RunAssets assets)
    {
        IReadOnlyList<TaskExample> problems;
        string name;
        if (arguments.DatasetPath is { } path)
        {
            try
            {
                // Read like the configuration's task reads its file: the csv task's columns, else JSON lines with its fields.
                var task = arguments.Config.Task;
                string Named(string parameter) =>
                    task.Parameter(parameter) is { ValueKind: System.Text.Json.JsonValueKind.String } value ? value.GetString()! : "";
                problems = task.Name == "csv"
                    ? CsvPromptDataset.Load(path, Or(Named("prompt_column"), "question"), Or(Named("answer_column"), "answer"))
                    : JsonlPromptDataset.Load(path, Or(Named("prompt_field"), "question"), Or(Named("answer_field"), "answer"));
            }
            catch (InvalidDataException e)
            {
                throw new EvalInputException(e.Message, e);
            }

            name = path;
        }
        else
        {
            problems = assets.HeldOut;
            name = $"held-out set of task {arguments.Config.Task.Name} ({problems.Count} problems, held_out_size)";
        }

        return (arguments.Limit is { } limit ? problems.Take(limit).ToArray() : problems, name);
    }
}
