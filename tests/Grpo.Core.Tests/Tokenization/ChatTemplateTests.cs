using Grpo.Core.Tokenization;

namespace Grpo.Core.Tests.Tokenization;

public sealed class ChatTemplateTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "grpo-chat-" + Guid.NewGuid().ToString("N"));

    public ChatTemplateTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Qwen3TemplateReproducesTheReferencePrompt()
    {
        var template = ChatTemplate.Load(Qwen3TokenizerFixture.FixtureDirectory);
        var (referenceText, _) = HfTokenizerQwen3Tests.ReferenceLine(1);

        var prompt = template.Apply(
            [new ChatMessage("system", "You are a helpful assistant."), new ChatMessage("user", "What is 17 * 23?")],
            addGenerationPrompt: true);

        Assert.True(template.SupportsThinking);
        Assert.Equal(referenceText, prompt);
    }

    [Fact]
    public void DisablingThinkingAppendsEmptyThinkBlock()
    {
        var template = ChatTemplate.Load(Qwen3TokenizerFixture.FixtureDirectory);

        var prompt = template.Apply([new ChatMessage("user", "Hi")], addGenerationPrompt: true, enableThinking: false);

        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", prompt);
    }

    [Fact]
    public void WithoutGenerationPromptEndsAfterLastTurnAndDropsOldReasoning()
    {
        var prompt = ChatTemplate.Qwen3.Apply(
            [
                new ChatMessage("user", "1+1?"),
                new ChatMessage("assistant", "<think>\nadd them\n</think>\n\n2"),
                new ChatMessage("user", "2+2?"),
            ],
            addGenerationPrompt: false);

        Assert.Equal("<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n2<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n", prompt);
    }

    [Fact]
    public void LastAssistantTurnAfterTheQueryKeepsItsReasoning()
    {
        var prompt = ChatTemplate.Qwen3.Apply(
            [new ChatMessage("user", "1+1?"), new ChatMessage("assistant", "<think>\nadd\n</think>\n\n2")],
            addGenerationPrompt: false);

        Assert.Equal("<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n<think>\nadd\n</think>\n\n2<|im_end|>\n", prompt);
    }

    [Fact]
    public void PlainChatMlHasNoThinkingOption()
    {
        File.WriteAllText(Path.Combine(_directory, "tokenizer_config.json"),
            "{\"chat_template\": \"{% for m in messages %}{{'<|im_start|>' + m.role + '\\\\n' + m.content + '<|im_end|>\\\\n'}}{% endfor %}\"}");
        var template = ChatTemplate.Load(_directory);

        Assert.False(template.SupportsThinking);
        Assert.Equal("<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n", template.Apply([new ChatMessage("user", "x")], addGenerationPrompt: true));
        Assert.Throws<ArgumentException>(() => template.Apply([new ChatMessage("user", "x")], true, enableThinking: false));
    }

    [Theory]
    [InlineData("{\"chat_template\": \"{{ bos_token }}{% for m in messages %}[INST] {{ m.content }} [/INST]{% endfor %}\"}", "ChatML")]
    [InlineData("{\"eos_token\": \"</s>\"}", "'chat_template' is missing")]
    [InlineData("{\"chat_template\": ", "line 1")]
    public void UnknownOrBrokenTemplatesAreRefused(string config, string expected)
    {
        File.WriteAllText(Path.Combine(_directory, "tokenizer_config.json"), config);

        var error = Assert.Throws<InvalidDataException>(() => ChatTemplate.Load(_directory));
        Assert.Contains("tokenizer_config.json", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void UnknownRoleIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => ChatTemplate.ChatMl.Apply([new ChatMessage("tool", "x")], false));
        Assert.Contains("messages[0].Role", error.Message);
    }
}
