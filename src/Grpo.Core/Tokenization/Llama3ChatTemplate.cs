using System.Text;
using System.Text.RegularExpressions;

namespace Grpo.Core.Tokenization;

/// <summary>
/// The header format of Llama 3 Instruct models: <c>&lt;|begin_of_text|&gt;</c>, then per turn
/// <c>&lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\ncontent&lt;|eot_id|&gt;</c> with the content trimmed.
/// Llama 3.1, 3.2 and 3.3 templates always open with a system turn that states the knowledge cutoff and a date before
/// the caller's system message; Llama 3.0's has no such turn. Tool calling is not reproduced (the roles here are
/// system, user and assistant only, for which those templates take their no-tools path).
/// </summary>
public sealed partial class Llama3ChatTemplate : ChatTemplate
{
    public const string BeginOfText = "<|begin_of_text|>";
    public const string StartHeader = "<|start_header_id|>";
    public const string EndHeader = "<|end_header_id|>";
    public const string EndOfTurn = "<|eot_id|>";

    /// <summary>The knowledge cutoff Llama 3.1, 3.2 and 3.3 templates state.</summary>
    public const string Llama31KnowledgeCutoff = "December 2023";

    /// <summary>The date Llama 3.1, 3.2 and 3.3 templates use when the caller passes no <c>date_string</c>.</summary>
    public const string Llama31DefaultDate = "26 Jul 2024";

    private Llama3ChatTemplate(string? knowledgeCutoff, string? todayDate, bool generationPromptIsOptional)
    {
        KnowledgeCutoff = knowledgeCutoff;
        TodayDate = todayDate;
        GenerationPromptIsOptional = generationPromptIsOptional;
    }

    internal static Llama3ChatTemplate Llama30 { get; } = new(null, null, generationPromptIsOptional: true);

    internal static Llama3ChatTemplate Llama31Variant { get; } = new(Llama31KnowledgeCutoff, Llama31DefaultDate, generationPromptIsOptional: true);

    /// <summary>The "Cutting Knowledge Date" of the leading system turn; null for templates without that turn (Llama 3.0).</summary>
    public string? KnowledgeCutoff { get; }

    /// <summary>The "Today Date" of the leading system turn; null for templates without that turn (Llama 3.0).</summary>
    public string? TodayDate { get; }

    /// <summary>False for the first Llama 3.0 template, which ends with the assistant header whether asked or not.</summary>
    public bool GenerationPromptIsOptional { get; }

    public override string EndOfTurnToken => EndOfTurn;

    public override string? BeginOfTextToken => BeginOfText;

    internal static bool Recognises(string template) =>
        template.Contains(StartHeader, StringComparison.Ordinal)
        && template.Contains(EndHeader, StringComparison.Ordinal)
        && template.Contains(EndOfTurn, StringComparison.Ordinal);

    internal static Llama3ChatTemplate Parse(string template, string source)
    {
        var generationPromptIsOptional = template.Contains("add_generation_prompt", StringComparison.Ordinal);
        var cutoff = KnowledgeCutoffPattern().Match(template);
        if (!cutoff.Success)
        {
            return generationPromptIsOptional ? Llama30 : new Llama3ChatTemplate(null, null, generationPromptIsOptional: false);
        }
        // A template that asks for the current date (strftime_now) falls back to its literal date; the fixed date keeps
        // every silo's and every step's prompts identical, which a wall-clock date would not across midnight.
        var date = DefaultDatePattern().Match(template);
        if (!date.Success)
        {
            throw new InvalidDataException(
                $"{source}: field 'chat_template' is a Llama 3.1-style template whose default 'date_string' is not a literal date; it is not supported.");
        }
        var knowledgeCutoff = cutoff.Groups[1].Value;
        var todayDate = date.Groups[1].Value;
        return knowledgeCutoff == Llama31KnowledgeCutoff && todayDate == Llama31DefaultDate && generationPromptIsOptional
            ? Llama31Variant
            : new Llama3ChatTemplate(knowledgeCutoff, todayDate, generationPromptIsOptional);
    }

    private protected override string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool enableThinking)
    {
        var builder = new StringBuilder();
        var first = 0;
        if (KnowledgeCutoff is not null)
        {
            // Llama 3.1+ takes a leading system message into its own system turn and writes that turn even without one.
            var systemMessage = "";
            if (messages.Count > 0 && messages[0].Role == "system")
            {
                systemMessage = PythonStrip(messages[0].Content);
                first = 1;
            }
            builder.Append(BeginOfText);
            Header(builder, "system")
                .Append("Cutting Knowledge Date: ").Append(KnowledgeCutoff).Append('\n')
                .Append("Today Date: ").Append(TodayDate).Append("\n\n")
                .Append(systemMessage).Append(EndOfTurn);
        }
        else if (messages.Count > 0)
        {
            // Llama 3.0 writes BOS in front of its first turn, so an empty conversation has none.
            builder.Append(BeginOfText);
        }
        for (var i = first; i < messages.Count; i++)
        {
            Header(builder, messages[i].Role).Append(PythonStrip(messages[i].Content)).Append(EndOfTurn);
        }
        if (addGenerationPrompt || !GenerationPromptIsOptional)
        {
            Header(builder, "assistant");
        }
        return builder.ToString();
    }

    private static StringBuilder Header(StringBuilder builder, string role) =>
        builder.Append(StartHeader).Append(role).Append(EndHeader).Append("\n\n");

    /// <summary>
    /// Jinja's <c>trim</c> is Python's <c>str.strip()</c>, which also counts the separators U+001C..U+001F as white
    /// space; .NET's <see cref="char.IsWhiteSpace(char)"/> does not.
    /// </summary>
    internal static string PythonStrip(string text)
    {
        static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f';
        var start = 0;
        var end = text.Length;
        while (start < end && IsPythonSpace(text[start])) start++;
        while (end > start && IsPythonSpace(text[end - 1])) end--;
        return text[start..end];
    }

    // Template text as Hugging Face ships it: {{- "Cutting Knowledge Date: December 2023\n" }}.
    [GeneratedRegex(@"Cutting Knowledge Date: ([^""'\\]+)\\n")]
    private static partial Regex KnowledgeCutoffPattern();

    // {%- set date_string = "26 Jul 2024" %}; a strftime_now(...) assignment does not match, its fallback does.
    [GeneratedRegex(@"set date_string = [""']([^""']+)[""']")]
    private static partial Regex DefaultDatePattern();
}
