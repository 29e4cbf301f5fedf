using System.CommandLine;

namespace Grpo.Client.Export;

/// <summary>The <c>grpo export</c> command; arguments are checked before libtorch or any weight is loaded.</summary>
public static class ExportCommandLine
{
    public static Command Create(Func<ExportArguments, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "A learner checkpoint folder, or a folder of checkpoints (the newest is taken), e.g. runs/ID/checkpoints.",
            HelpName = "DIR",
        };
        var output = new Option<string?>("--out")
        {
            Description = "The Hugging Face model directory to write (with --adapter-only, the PEFT adapter folder).",
            HelpName = "DIR",
        };
        var dtype = new Option<string?>("--dtype") { Description = "Weight dtype written: bfloat16 or float32 [default: bfloat16].", HelpName = "DTYPE" };
        var model = new Option<string?>("--model")
        {
            Description = "The Hugging Face model directory the policy was trained from: gives the model shape, its tokenizer files are copied " +
                          "and a LoRA checkpoint's adapters are merged into its weights [default: the run configuration's model].",
            HelpName = "DIR",
        };
        var config = new Option<string?>("--config")
        {
            Description = "The run configuration the policy was trained with; for a LoRA checkpoint its model_path or seed gives the base " +
                          "[default: the config.json of the run folder holding the checkpoint].",
            HelpName = "FILE",
        };
        var force = new Option<bool>("--force") { Description = "Replace the output directory if it exists and is not empty." };
        var adapterOnly = new Option<bool>("--adapter-only")
        {
            Description = "For a LoRA checkpoint: write only its adapters as a PEFT folder (adapter_config.json, adapter_model.safetensors) " +
                          "instead of the merged model.",
        };

        var command = new Command("export",
            "Write a learner checkpoint as a Hugging Face model directory (config.json, safetensors, tokenizer files); " +
            "a LoRA checkpoint's adapters are merged into the run's base, or written alone with --adapter-only.")
        {
            checkpoint, output, dtype, model, config, force, adapterOnly,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            ExportArguments arguments;
            try
            {
                arguments = ExportArguments.Resolve(parsed.GetValue(checkpoint), parsed.GetValue(output), parsed.GetValue(dtype), parsed.GetValue(model),
                    parsed.GetValue(config), parsed.GetValue(force), parsed.GetValue(adapterOnly));
            }
            catch (ArgumentException exception)
            {
                parsed.InvocationConfiguration.Error.WriteLine("grpo export: " + exception.Message);
                return ExitCodes.InvalidArguments;
            }

            return await run(arguments, cancellationToken);
        });
        return command;
    }
}
