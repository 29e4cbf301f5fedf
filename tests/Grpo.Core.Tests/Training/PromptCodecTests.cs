using Grpo.Core.Tests.Tokenization;
using Grpo.Core.Tokenization;
using Grpo.Core.Training;

namespace Grpo.Core.Tests.Training;

[Collection(Qwen3TokenizerCollection.Name)]
public sealed class PromptCodecTests(Qwen3TokenizerFixture fixture)
{
    const int ImEnd = 151645;
    const int EndOfText = 151643;

    [Fact]
    public void A_completion_ends_at_its_first_stop_token_and_other_special_tokens_are_left_out()
    {
        var codec = new PromptCodec(fixture.Tokenizer, ImEnd, format: new PromptFormat { ExtraStopTokenIds = [EndOfText] });
        var answer = fixture.Tokenizer.EncodeToIds("The answer is 5.");
        var thinkOpen = fixture.Tokenizer.TokenToId("<|box_start|>")!.Value; // special, but not a stop token

        Assert.Equal([ImEnd, EndOfText], codec.StopTokenIds);
        Assert.Equal("The answer is 5.", codec.DecodeCompletion([.. answer, ImEnd, .. answer]));
        Assert.Equal("The answer is 5.", codec.DecodeCompletion([.. answer, EndOfText, 11]));
        Assert.Equal("The answer is 5.The answer is 5.", codec.DecodeCompletion([.. answer, thinkOpen, .. answer]));
    }

    [Fact]
    public void Stop_strings_cut_the_reward_text_but_not_the_text_the_generator_watches()
    {
        var codec = new PromptCodec(fixture.Tokenizer, ImEnd, format: new PromptFormat { StopStrings = ["\n\n", "Question:"] });
        var tokens = fixture.Tokenizer.EncodeToIds("#### 5\n\nQuestion: what next?");

        Assert.Equal("#### 5", codec.DecodeCompletion(tokens));
        Assert.Equal("#### 5\n\nQuestion: what next?", codec.DecodeUntilStop(tokens));
        Assert.Equal("#### 5", new PromptCodec(fixture.Tokenizer, ImEnd, format: new PromptFormat { StopStrings = ["Question:", "\n\n"] })
            .DecodeCompletion(tokens));
    }

    [Fact]
    public void Prompts_go_through_the_chat_template_with_the_system_prompt()
    {
        var codec = new PromptCodec(fixture.Tokenizer, ImEnd, format: new PromptFormat
        {
            Template = ChatTemplate.Qwen3, SystemPrompt = "Be brief.", EnableThinking = false,
        });

        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
            codec.PromptText("2+2?"));
        Assert.Equal(fixture.Tokenizer.EncodeToIds(codec.PromptText("2+2?")), codec.EncodePrompt("2+2?"));
        Assert.Equal("2+2?", new PromptCodec(fixture.Tokenizer, ImEnd).PromptText("2+2?"));
    }

    [Fact]
    public void The_qwen25_template_inserts_its_default_system_message_only_when_none_is_given()
    {
        const string template = "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}" +
            "{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}{%- endif %}";
        var qwen25 = ChatTemplate.FromTemplateText(template, "tokenizer_config.json");

        Assert.Equal(ChatTemplate.Qwen25DefaultSystemPrompt, qwen25.DefaultSystemPrompt);
        Assert.StartsWith($"<|im_start|>system\n{ChatTemplate.Qwen25DefaultSystemPrompt}<|im_end|>\n<|im_start|>user\nhi",
            qwen25.Apply([new ChatMessage("user", "hi")], addGenerationPrompt: true));
        Assert.StartsWith("<|im_start|>system\nmine<|im_end|>\n<|im_start|>user",
            qwen25.Apply([new ChatMessage("system", "mine"), new ChatMessage("user", "hi")], addGenerationPrompt: true));
    }
}
