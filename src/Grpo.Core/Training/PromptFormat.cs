using Grpo.Core.Tokenization;

namespace Grpo.Core.Training;

/// <summary>
/// How task text becomes a model prompt and where a completion ends: the chat template and system message, extra
/// token ids that end a completion (e.g. &lt;|im_end|&gt; besides the model's EOS) and stop strings.
/// </summary>
public sealed record PromptFormat
{
    /// <summary>Wraps each prompt as a user turn followed by the assistant's generation prompt; null sends the text as it is.</summary>
    public ChatTemplate? Template { get; init; }

    public string? SystemPrompt { get; init; }

    /// <summary>Qwen3 templates only: false appends the empty think block.</summary>
    public bool EnableThinking { get; init; } = true;

    public IReadOnlyList<int> ExtraStopTokenIds { get; init; } = [];

    /// <summary>A completion's text ends before the first of these (the tokens that spelled it were still generated).</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];
}
