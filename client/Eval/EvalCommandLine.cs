using System.CommandLine;
using Grpo.Abstractions.Configuration;

namespace Grpo.Client.Eval;

/// <summary>The <c>grpo eval</c> command; arguments are checked before libtorch or any model is loaded.</summary>
public static class EvalCommandLine
{
    public static Command Create(Func<EvalArguments, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "A learner checkpoint folder, or a folder of checkpoints (the newest is taken), e.g. runs/ID/checkpoints.",
            HelpName = "DIR",
        };
        var model = new Option<string?>("--model") { Description = "A Hugging Face model directory (config.json, safetensors weights).", HelpName = "DIR" };
        var config = new Option<string?>("--config")
        {
            Description = "The run configuration the policy was trained with (task, model shape, sampling); keys left out keep their defaults.",
            HelpName = "FILE",
        };
        var set = new Option<string[]>("--set")
        {
            Description = "Override one configuration key (repeatable), e.g. --set temperature=0.",
            HelpName = "key=value",
            Arity = ArgumentArity.OneOrMore,
        };
        var dataset = new Option<string?>("--dataset")
        {
            Description = "JSONL problems (task.prompt_field / task.answer_field of the configuration) [default: the configuration's held-out set].",
            HelpName = "FILE",
        };
        var k = new Option<int[]>("--k")
        {
            Description = "Report pass@k for this k (repeatable) [default: 1].",
            HelpName = "K",
            Arity = ArgumentArity.OneOrMore,
        };
        var samples = new Option<int?>("--samples")
        {
            Description = "Completions sampled per problem, n of the unbiased pass@k estimator [default: the largest k].",
            HelpName = "N",
        };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N problems.", HelpName = "N" };
        var device = new Option<string?>("--device")
        {
            Description = "Torch device to generate on: cpu, cuda or cuda:N (CUDA needs a build with -p:GrpoDevice=cuda) [default: cpu].",
            HelpName = "DEVICE",
        };
        var output = new Option<string?>("--output") { Description = "Write the JSON report (scores and every completion) to this file.", HelpName = "FILE" };

        var command = new Command("eval", "Measure pass@1 and pass@k of a checkpoint or model directory, batched through the rollout engine.")
        {
            checkpoint, model, config, set, dataset, k, samples, limit, output, device,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            EvalArguments arguments;
            try
            {
                arguments = EvalArguments.Resolve(new EvalOptions
                {
                    CheckpointPath = parsed.GetValue(checkpoint),
                    ModelPath = parsed.GetValue(model),
                    ConfigPath = parsed.GetValue(config),
                    Overrides = parsed.GetValue(set) ?? [],
                    DatasetPath = parsed.GetValue(dataset),
                    K = parsed.GetValue(k) ?? [],
                    Samples = parsed.GetValue(samples),
                    Limit = parsed.GetValue(limit),
                    OutputPath = parsed.GetValue(output),
                    Device = parsed.GetValue(device),
                });
            }
            catch (Exception exception) when (exception is RunConfigException or ArgumentException)
            {
                parsed.InvocationConfiguration.Error.WriteLine("grpo eval: " + exception.Message);
                return ExitCodes.InvalidArguments;
            }

            return await run(arguments, cancellationToken);
        });
        return command;
    }
}
