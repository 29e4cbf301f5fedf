using System.Text.Json;
using Grpo.Core.Tokenization;
using Grpo.Core.Training;

namespace Grpo.Core.Tests.Tokenization;

/// <summary>The Llama 3 header format: recognition from the shipped template texts and the exact prompts they render.</summary>
public sealed class Llama3ChatTemplateTests : IDisposable
{
    /// <summary>chat_template of Meta-Llama-3-8B-Instruct's tokenizer_config.json (Llama 3.0), whole.</summary>
    const string Llama30Template =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + " +
        "'<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}" +
        "{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    /// <summary>The first Llama 3.0 release of that template, which ends with the assistant header unconditionally.</summary>
    const string Llama30FirstReleaseTemplate =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + " +
        "'<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}" +
        "{% endif %}{{ content }}{% endfor %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}";

    /// <summary>Excerpt of Llama-3.1-8B-Instruct's chat_template (the no-tools path; the tool branches are left out).</summary>
    const string Llama31Template =
        "{{- bos_token }}\n{%- if not date_string is defined %}\n    {%- set date_string = \"26 Jul 2024\" %}\n{%- endif %}\n" +
        "{%- if messages[0]['role'] == 'system' %}\n    {%- set system_message = messages[0]['content']|trim %}\n    {%- set messages = messages[1:] %}\n" +
        "{%- else %}\n    {%- set system_message = \"\" %}\n{%- endif %}\n" +
        "{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n{{- \"Cutting Knowledge Date: December 2023\\n\" }}\n" +
        "{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n{{- system_message }}\n{{- \"<|eot_id|>\" }}\n" +
        "{%- for message in messages %}\n        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}\n" +
        "{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n{%- endif %}\n";

    /// <summary>Excerpt of Llama-3.2-1B-Instruct's chat_template: the date comes from strftime_now when the renderer has it.</summary>
    const string Llama32DateExcerpt =
        "{%- if not date_string is defined %}\n    {%- if strftime_now is defined %}\n        {%- set date_string = strftime_now(\"%d %b %Y\") %}\n" +
        "    {%- else %}\n        {%- set date_string = \"26 Jul 2024\" %}\n    {%- endif %}\n{%- endif %}\n";

    const string Llama32Template = "{{- bos_token }}\n" + Llama32DateExcerpt +
        "{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n{{- \"Cutting Knowledge Date: December 2023\\n\" }}\n" +
        "{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n{{- system_message }}\n{{- \"<|eot_id|>\" }}\n" +
        "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}\n" +
        "{%- if add_generation_prompt %}\n    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n{%- endif %}\n";

    const string Llama31SystemTurnWithoutMessage =
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>";

    readonly string directory = Path.Combine(Path.GetTempPath(), "grpo-llama3-" + Guid.NewGuid().ToString("N"));

    public Llama3ChatTemplateTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    static readonly ChatMessage[] Question = [new("user", "What is 2+2?")];
    static readonly ChatMessage[] SystemAndQuestion = [new("system", " Be brief.\n"), new("user", "What is 2+2?\n")];

    [Fact]
    public void Llama30_renders_header_turns_after_bos_without_a_system_turn_of_its_own()
    {
        var template = ChatTemplate.FromTemplateText(Llama30Template, "tokenizer_config.json");

        Assert.Same(ChatTemplate.Llama3, template);
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Apply(Question, addGenerationPrompt: true));
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Apply(SystemAndQuestion, addGenerationPrompt: true));
    }

    [Fact]
    public void Llama31_opens_with_the_knowledge_cutoff_and_date_system_turn_with_or_without_a_system_message()
    {
        var template = ChatTemplate.FromTemplateText(Llama31Template, "tokenizer_config.json");

        Assert.Same(ChatTemplate.Llama31, template);
        Assert.Equal(
            Llama31SystemTurnWithoutMessage + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Apply(Question, addGenerationPrompt: true));
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nBe brief.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Apply(SystemAndQuestion, addGenerationPrompt: true));
    }

    [Fact]
    public void A_whole_conversation_trims_every_turn_and_adds_the_assistant_header_only_when_asked()
    {
        ChatMessage[] conversation = [new("user", "\t1+1?"), new("assistant", " 2 \u001f"), new("user", "2+2?")];

        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n1+1?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n2<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>",
            ChatTemplate.Llama3.Apply(conversation, addGenerationPrompt: false));
        Assert.EndsWith("2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            ChatTemplate.FromTemplateText(Llama30FirstReleaseTemplate, "tokenizer_config.json").Apply(conversation, addGenerationPrompt: false));
        Assert.Equal(Llama31SystemTurnWithoutMessage, ChatTemplate.Llama31.Apply([], addGenerationPrompt: false));
        Assert.Equal("", ChatTemplate.Llama3.Apply([], addGenerationPrompt: false));
    }

    [Fact]
    public void The_date_is_the_templates_literal_default_also_where_it_would_ask_for_the_current_date()
    {
        var llama32 = Assert.IsType<Llama3ChatTemplate>(ChatTemplate.FromTemplateText(Llama32Template, "tokenizer_config.json"));
        var otherDate = Assert.IsType<Llama3ChatTemplate>(
            ChatTemplate.FromTemplateText(Llama31Template.Replace("26 Jul 2024", "01 Jan 2025"), "tokenizer_config.json"));

        Assert.Equal("26 Jul 2024", llama32.TodayDate);
        Assert.StartsWith(Llama31SystemTurnWithoutMessage, llama32.Apply(Question, addGenerationPrompt: true));
        Assert.Equal("01 Jan 2025", otherDate.TodayDate);
        Assert.Contains("\nToday Date: 01 Jan 2025\n\n<|eot_id|>", otherDate.Apply(Question, addGenerationPrompt: true));
    }

    [Fact]
    public void Templates_are_recognised_by_their_markers_and_an_unknown_format_is_refused_by_file_and_field()
    {
        File.WriteAllText(Path.Combine(directory, HfTokenizer.ConfigFileName), JsonSerializer.Serialize(new { chat_template = Llama31Template }));
        Assert.Same(ChatTemplate.Llama31, ChatTemplate.Load(directory));
        Assert.Equal("<|eot_id|>", ChatTemplate.Llama31.EndOfTurnToken);
        Assert.Equal("<|begin_of_text|>", ChatTemplate.Llama31.BeginOfTextToken);
        Assert.Equal("<|im_end|>", ChatTemplate.Qwen3.EndOfTurnToken);
        Assert.Null(ChatTemplate.Qwen3.BeginOfTextToken);

        // Headers without <|eot_id|> are not Llama 3's format (Llama 4 ends turns with <|eot|>).
        const string gemma = "{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + message['role'] + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}";
        foreach (var unknown in new[] { gemma, "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] + '<|eot|>' }}" })
        {
            File.WriteAllText(Path.Combine(directory, HfTokenizer.ConfigFileName), JsonSerializer.Serialize(new { chat_template = unknown }));
            var error = Assert.Throws<InvalidDataException>(() => ChatTemplate.Load(directory));
            Assert.Contains(Path.Combine(directory, "tokenizer_config.json"), error.Message);
            Assert.Contains("field 'chat_template'", error.Message);
            Assert.Contains("neither a ChatML (Qwen-family) nor a Llama 3 template", error.Message);
        }
    }

    [Fact]
    public void A_llama31_template_without_a_literal_default_date_is_refused()
    {
        var template = Llama31Template.Replace("{%- set date_string = \"26 Jul 2024\" %}", "{%- set date_string = strftime_now(\"%d %b %Y\") %}");

        var error = Assert.Throws<InvalidDataException>(() => ChatTemplate.FromTemplateText(template, "model/tokenizer_config.json"));
        Assert.Contains("model/tokenizer_config.json: field 'chat_template'", error.Message);
        Assert.Contains("date_string", error.Message);
    }

    [Fact]
    public void An_encoded_llama3_prompt_has_exactly_one_bos_and_a_completion_ends_at_eot()
    {
        var tokenizer = TinyLlama3Tokenizer();
        const int bos = 300, eot = 303, endOfText = 304;
        var codec = new PromptCodec(tokenizer, endOfText, bos, new PromptFormat
        {
            Template = ChatTemplate.Llama31, SystemPrompt = "Be brief.", ExtraStopTokenIds = [eot],
        });

        var ids = codec.EncodePrompt("2+2?");

        Assert.Equal(bos, ids[0]);
        Assert.Single(ids, id => id == bos);
        Assert.Equal(tokenizer.EncodeToIds(codec.PromptText("2+2?")), ids);
        Assert.Equal([301, .. tokenizer.EncodeToIds("system"), 302], ids[1..9]);
        Assert.Equal([endOfText, eot], codec.StopTokenIds);
        Assert.Equal("4", codec.DecodeCompletion([.. tokenizer.EncodeToIds("4"), eot, .. tokenizer.EncodeToIds("5")]));
        // Without a template that writes it, BOS still goes in front of the prompt.
        Assert.Equal([bos, .. tokenizer.EncodeToIds("2+2?")], new PromptCodec(tokenizer, endOfText, bos).EncodePrompt("2+2?"));
        var mismatch = Assert.Throws<ArgumentException>(() => new PromptCodec(tokenizer, endOfText, endOfText, new PromptFormat { Template = ChatTemplate.Llama3 }));
        Assert.Contains("<|begin_of_text|>", mismatch.Message);
    }

    /// <summary>Byte tokens at id = byte value, no merges, and the Llama 3 special tokens from 300.</summary>
    Microsoft.ML.Tokenizers.Tokenizer TinyLlama3Tokenizer()
    {
        var vocab = Enumerable.Range(0, 256).ToDictionary(b => ByteLevelAlphabet.ByteToChar((byte)b).ToString(), b => b);
        string[] special = ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|end_of_text|>"];
        File.WriteAllText(Path.Combine(directory, HfTokenizer.TokenizerFileName), JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["added_tokens"] = special.Select((content, i) => new { id = 300 + i, content, special = true }).ToArray(),
            ["pre_tokenizer"] = new { type = "ByteLevel", add_prefix_space = false, use_regex = true },
            ["decoder"] = new { type = "ByteLevel" },
            ["model"] = new { type = "BPE", vocab, merges = Array.Empty<string>() },
        }));
        File.WriteAllText(Path.Combine(directory, HfTokenizer.ConfigFileName),
            JsonSerializer.Serialize(new { bos_token = "<|begin_of_text|>", eos_token = "<|eot_id|>", chat_template = Llama31Template }));
        return HfTokenizer.Load(directory);
    }
}
