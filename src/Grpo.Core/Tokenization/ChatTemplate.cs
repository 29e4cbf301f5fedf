using System.Text.Json;

namespace Grpo.Core.Tokenization;

/// <summary>
/// A model family's chat prompt format, reproduced in code rather than by running the Jinja template: the template in
/// tokenizer_config.json is only inspected to recognise the family and its options. Supported: the ChatML format of
/// the Qwen family (<see cref="ChatMlTemplate"/>) and the Llama 3 header format (<see cref="Llama3ChatTemplate"/>).
/// </summary>
public abstract class ChatTemplate
{
    // Only the formats reproduced here exist; a caller cannot add one that the recognition in FromTemplateText skips.
    private protected ChatTemplate() { }

    /// <summary>The system message the template inserts when the conversation starts without one; null when it inserts none.</summary>
    public virtual string? DefaultSystemPrompt => null;

    /// <summary>True for Qwen3-style templates, which understand <c>enable_thinking</c> and &lt;think&gt; blocks.</summary>
    public virtual bool SupportsThinking => false;

    /// <summary>The special token that closes every turn; a completion ends when the model writes it.</summary>
    public abstract string EndOfTurnToken { get; }

    /// <summary>
    /// The beginning-of-sequence token the rendered text itself starts with (Llama 3 writes it), or null when the
    /// template writes none and the tokenizer's BOS, if the model uses one, goes in front of the encoded text.
    /// </summary>
    public virtual string? BeginOfTextToken => null;

    /// <summary>A ChatML template without thinking support (Qwen2-style), for callers that have no tokenizer_config.json.</summary>
    public static ChatTemplate ChatMl => ChatMlTemplate.Plain;

    /// <summary>The Qwen3 variant (thinking options, reasoning stripped from earlier assistant turns).</summary>
    public static ChatTemplate Qwen3 => ChatMlTemplate.Qwen3Variant;

    /// <summary>The Qwen2.5 variant: ChatML with its default system message when the conversation has none.</summary>
    public static ChatTemplate Qwen25 => ChatMlTemplate.Qwen25Variant;

    /// <summary>The system message Qwen2.5 templates insert when a conversation has none.</summary>
    public const string Qwen25DefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    /// <summary>Llama 3.0 Instruct: header turns, no system turn of its own.</summary>
    public static ChatTemplate Llama3 => Llama3ChatTemplate.Llama30;

    /// <summary>Llama 3.1/3.2/3.3 Instruct: header turns after a system turn that states the knowledge cutoff and the date.</summary>
    public static ChatTemplate Llama31 => Llama3ChatTemplate.Llama31Variant;

    public static ChatTemplate Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var path = Path.Combine(directory, HfTokenizer.ConfigFileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"Tokenizer config '{path}' does not exist.");
        }
        string? template;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("chat_template", out var element))
            {
                throw new InvalidDataException($"{path}: field 'chat_template' is missing.");
            }
            template = element.ValueKind == JsonValueKind.String
                ? element.GetString()
                : throw new InvalidDataException($"{path}: field 'chat_template' must be a string (named template lists are not supported).");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: malformed JSON at line {(e.LineNumber ?? 0) + 1}: {e.Message}", e);
        }
        return FromTemplateText(template!, path);
    }

    /// <summary>Recognises the template family by its markers; <paramref name="source"/> names it in errors.</summary>
    public static ChatTemplate FromTemplateText(string template, string source)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (ChatMlTemplate.Recognises(template))
        {
            return ChatMlTemplate.Parse(template, source);
        }
        if (Llama3ChatTemplate.Recognises(template))
        {
            return Llama3ChatTemplate.Parse(template, source);
        }
        throw new InvalidDataException(
            $"{source}: field 'chat_template' is neither a ChatML (Qwen-family) nor a Llama 3 template; only those formats are supported.");
    }

    /// <param name="messages">The conversation; system, user and assistant roles.</param>
    /// <param name="addGenerationPrompt">End with the opening of an assistant turn.</param>
    /// <param name="enableThinking">Qwen3 only: false appends an empty think block after the generation prompt so the model answers directly.</param>
    public string Apply(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool enableThinking = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!enableThinking && !SupportsThinking)
        {
            throw new ArgumentException("enableThinking = false needs a template with thinking support (Qwen3).", nameof(enableThinking));
        }
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw new ArgumentException($"messages[{i}] is null.", nameof(messages));
            if (message.Role is not ("system" or "user" or "assistant"))
            {
                throw new ArgumentException($"messages[{i}].Role '{message.Role}' is not system, user or assistant.", nameof(messages));
            }
            ArgumentNullException.ThrowIfNull(message.Content, $"messages[{i}].Content");
        }
        return Render(messages, addGenerationPrompt, enableThinking);
    }

    /// <summary>Renders a conversation whose roles and contents <see cref="Apply"/> has checked.</summary>
    private protected abstract string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool enableThinking);
}
