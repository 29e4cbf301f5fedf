using System.Text;

namespace Grpo.Core.Tokenization;

/// <summary>The ChatML prompt format of Qwen-family models: Qwen2, Qwen2.5 (default system message) and Qwen3 (thinking switch).</summary>
public sealed class ChatMlTemplate : ChatTemplate
{
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";
    private const string ThinkOpen = "<think>";
    private const string ThinkClose = "</think>";

    private readonly bool _supportsThinking;
    private readonly string? _defaultSystemPrompt;

    private ChatMlTemplate(bool supportsThinking, string? defaultSystemPrompt = null)
    {
        _supportsThinking = supportsThinking;
        _defaultSystemPrompt = defaultSystemPrompt;
    }

    internal static ChatMlTemplate Plain { get; } = new(supportsThinking: false);

    internal static ChatMlTemplate Qwen3Variant { get; } = new(supportsThinking: true);

    internal static ChatMlTemplate Qwen25Variant { get; } = new(supportsThinking: false, Qwen25DefaultSystemPrompt);

    public override string? DefaultSystemPrompt => _defaultSystemPrompt;

    public override bool SupportsThinking => _supportsThinking;

    public override string EndOfTurnToken => ImEnd;

    internal static bool Recognises(string template) =>
        template.Contains(ImStart, StringComparison.Ordinal) && template.Contains(ImEnd, StringComparison.Ordinal);

    internal static ChatMlTemplate Parse(string template, string source)
    {
        // Qwen2.5 inserts its default system message when there is none; any other default would differ silently.
        if (template.Contains("You are Qwen, created by Alibaba Cloud", StringComparison.Ordinal))
        {
            return template.Contains($"<|im_start|>system\\n{Qwen25DefaultSystemPrompt}<|im_end|>", StringComparison.Ordinal)
                ? Qwen25Variant
                : throw new InvalidDataException($"{source}: field 'chat_template' adds a default system prompt other than Qwen2.5's, which is not supported.");
        }
        return template.Contains("enable_thinking", StringComparison.Ordinal) ? Qwen3Variant : Plain;
    }

    private protected override string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool enableThinking)
    {
        var lastUserIndex = -1;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role == "user")
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
