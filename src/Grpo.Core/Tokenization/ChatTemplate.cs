using System.Text;
using System.Text.Json;

namespace Grpo.Core.Tokenization;

/// <summary>
/// The ChatML prompt format of Qwen-family models, reproduced in code rather than by running the Jinja template:
/// the template in tokenizer_config.json is only inspected to confirm the family and its options.
/// </summary>
public sealed class ChatTemplate
{
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";
    private const string ThinkOpen = "<think>";
    private const string ThinkClose = "</think>";

    /// <summary>The system message Qwen2.5 templates insert when a conversation has none.</summary>
    public const string Qwen25DefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    private ChatTemplate(bool supportsThinking, string? defaultSystemPrompt = null)
    {
        SupportsThinking = supportsThinking;
        DefaultSystemPrompt = defaultSystemPrompt;
    }

    /// <summary>The system message the template inserts when the conversation starts without one; null when it inserts none.</summary>
    public string? DefaultSystemPrompt { get; }

    /// <summary>True for Qwen3-style templates, which understand <c>enable_thinking</c> and &lt;think&gt; blocks.</summary>
    public bool SupportsThinking { get; }

    /// <summary>A ChatML template without thinking support (Qwen2-style), for callers that have no tokenizer_config.json.</summary>
    public static ChatTemplate ChatMl { get; } = new(supportsThinking: false);

    /// <summary>The Qwen3 variant (thinking options, reasoning stripped from earlier assistant turns).</summary>
    public static ChatTemplate Qwen3 { get; } = new(supportsThinking: true);

    /// <summary>The Qwen2.5 variant: ChatML with its default system message when the conversation has none.</summary>
    public static ChatTemplate Qwen25 { get; } = new(supportsThinking: false, Qwen25DefaultSystemPrompt);

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

    /// <summary>Recognises the template family from its text; <paramref name="source"/> names it in errors.</summary>
    public static ChatTemplate FromTemplateText(string template, string source)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (!template.Contains(ImStart, StringComparison.Ordinal) || !template.Contains(ImEnd, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{source}: field 'chat_template' is not a ChatML (Qwen-family) template; only that family is supported.");
        }
        // Qwen2.5 inserts its default system message when there is none; any other default would differ silently.
        if (template.Contains("You are Qwen, created by Alibaba Cloud", StringComparison.Ordinal))
        {
            return template.Contains($"<|im_start|>system\\n{Qwen25DefaultSystemPrompt}<|im_end|>", StringComparison.Ordinal)
                ? Qwen25
                : throw new InvalidDataException($"{source}: field 'chat_template' adds a default system prompt other than Qwen2.5's, which is not supported.");
        }
        return template.Contains("enable_thinking", StringComparison.Ordinal) ? Qwen3 : ChatMl;
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

        var lastUserIndex = -1;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw new ArgumentException($"messages[{i}] is null.", nameof(messages));
            if (message.Role is not ("system" or "user" or "assistant"))
            {
                throw new ArgumentException($"messages[{i}].Role '{message.Role}' is not system, user or assistant.", nameof(messages));
            }
            ArgumentNullException.ThrowIfNull(message.Content, $"messages[{i}].Content");
            if (message.Role == "user")
            {
                lastUserIndex = i;
            }
        }

        var builder = new StringBuilder();
        if (DefaultSystemPrompt is not null && (messages.Count == 0 || messages[0].Role != "system"))
        {
            builder.Append(ImStart).Append("system\n").Append(DefaultSystemPrompt).Append(ImEnd).Append('\n');
        }
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var content = message.Role == "assistant" && SupportsThinking ? AssistantContent(message.Content, i > lastUserIndex, i == messages.Count - 1) : message.Content;
            builder.Append(ImStart).Append(message.Role).Append('\n').Append(content).Append(ImEnd).Append('\n');
        }
        if (addGenerationPrompt)
        {
            builder.Append(ImStart).Append("assistant\n");
            if (!enableThinking)
            {
                builder.Append(ThinkOpen).Append("\n\n").Append(ThinkClose).Append("\n\n");
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// Qwen3 keeps the reasoning only of assistant turns after the last user message (an agent loop in progress)
    /// and drops it from earlier turns, as its template does.
    /// </summary>
    private static string AssistantContent(string content, bool afterLastUserTurn, bool isLast)
    {
        var close = content.LastIndexOf(ThinkClose, StringComparison.Ordinal);
        var answer = close < 0 ? content : content[(close + ThinkClose.Length)..].TrimStart('\n');
        if (!afterLastUserTurn)
        {
            return answer;
        }
        var reasoning = string.Empty;
        if (close >= 0)
        {
            var beforeClose = content[..content.IndexOf(ThinkClose, StringComparison.Ordinal)].TrimEnd('\n');
            var open = beforeClose.LastIndexOf(ThinkOpen, StringComparison.Ordinal);
            reasoning = (open < 0 ? beforeClose : beforeClose[(open + ThinkOpen.Length)..]).Trim('\n');
        }
        return isLast || reasoning.Length > 0 ? $"{ThinkOpen}\n{reasoning}\n{ThinkClose}\n\n{answer.TrimStart('\n')}" : answer;
    }
}
