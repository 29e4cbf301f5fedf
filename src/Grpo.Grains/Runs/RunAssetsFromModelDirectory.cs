using Grpo.Abstractions.Configuration;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Registries;
using Grpo.Core.Tasks;
using Grpo.Core.Tokenization;
using Grpo.Core.Training;

namespace Grpo.Grains.Runs;

/// <summary>
/// The assets of a run on a Hugging Face model directory of a registered model family (built in: Qwen2, Qwen3, Llama):
/// its config.json, tokenizer.json and tokenizer_config.json. Whatever is missing or unsupported is refused here,
/// naming the file and the field.
/// </summary>
internal static class RunAssetsFromModelDirectory
{
    /// <summary>Assets of a directory whose config.json names a family registered in <paramref name="registries"/>.</summary>
    public static RunAssets Create(RunConfig config, IPromptTask task, GrpoRegistries registries)
    {
        ArgumentNullException.ThrowIfNull(registries);
        var families = registries.ModelFamilies;
        var directory = Path.GetFullPath(config.ModelPath!);
        HfModelFiles.RequireModelAndTokenizer(directory);
        var configPath = Path.Combine(directory, HfModelDirectory.ConfigFileName);
        var tokenizerConfigPath = Path.Combine(directory, HfTokenizer.ConfigFileName);
        var model = ModelConfig.Load(configPath, families);
        var tokenizer = HfTokenizer.LoadByteLevelBpe(directory);
        if (tokenizer.VocabSize > model.VocabSize)
            throw new InvalidDataException(
                $"{Path.Combine(directory, HfTokenizer.TokenizerFileName)} has {tokenizer.VocabSize} tokens, more than field 'vocab_size' = " +
                $"{model.VocabSize} of {configPath}: the tokenizer does not belong to this model.");

        var template = config.UseChatTemplate ? LoadTemplate(directory) : null;
        int[] stopIds =
        [
            .. tokenizer.EosTokenId is { } tokenizerEos ? [tokenizerEos] : Array.Empty<int>(),
            .. model.EosTokenIds,
            // Instruct models end an assistant turn with <|im_end|> or <|eot_id|>, which base-model configs do not list as EOS.
            .. template is not null ? [TemplateToken(tokenizer, template.EndOfTurnToken, directory)] : Array.Empty<int>(),
        ];
        if (stopIds.Length == 0)
            throw new InvalidDataException(
                $"model directory '{directory}' names no end-of-sequence token: neither field 'eos_token_id' of {configPath} " +
                $"nor field 'eos_token' of {tokenizerConfigPath} is set.");
        var eos = stopIds[0];
        // Some families' tokenizers start every sequence with BOS (Llama's post-processor adds it), others never do
        // (Qwen's). A Llama 3 template writes BOS into its text itself, so that token is the BOS and the codec adds no
        // second one.
        int? bos = template?.BeginOfTextToken is { } beginOfText
            ? TemplateToken(tokenizer, beginOfText, directory)
            : model.Family.TokenizerPrependsBos ? tokenizer.BosTokenId ?? model.BosTokenId : null;
        var codec = new PromptCodec(tokenizer, eos, bos, new PromptFormat
        {
            Template = template,
            SystemPrompt = config.SystemPrompt,
            EnableThinking = config.EnableThinking,
            ExtraStopTokenIds = stopIds[1..],
            StopStrings = config.StopStrings,
        });
        if (config.SystemPrompt is not null && template is null)
            throw new InvalidDataException("system_prompt needs the chat template, but use_chat_template is false.");
        if (!config.EnableThinking && template is { SupportsThinking: false })
            throw new InvalidDataException($"enable_thinking = false needs a Qwen3 chat template; field 'chat_template' of {tokenizerConfigPath} has no thinking switch.");
        return RunAssets.Build(config, task, tokenizer, codec, tokenizer.PadTokenId ?? eos, model, registries);
    }

    static int TemplateToken(ByteLevelBpeTokenizer tokenizer, string token, string directory) =>
        tokenizer.TokenToId(token) ?? throw new InvalidDataException(
            $"{Path.Combine(directory, HfTokenizer.TokenizerFileName)} has no token '{token}', which field 'chat_template' of " +
            $"{Path.Combine(directory, HfTokenizer.ConfigFileName)} writes; the tokenizer does not belong to this template. " +
            "Set use_chat_template to false to send prompts as plain text.");

    static ChatTemplate LoadTemplate(string directory)
    {
        try
        {
            return ChatTemplate.Load(directory);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{e.Message} Set use_chat_template to false to send prompts as plain text.", e);
        }
    }
}
