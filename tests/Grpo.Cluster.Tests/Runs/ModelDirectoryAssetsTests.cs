using Grpo.Core.Tokenization;
using System.Text.Json.Nodes;
using Grpo.Abstractions.Configuration;
using Grpo.Cluster.Tests.Client;
using Grpo.Core.Checkpoints;
using Grpo.Core.Tests.HfModels;
using Grpo.Grains.Learning;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>A run on a Hugging Face model directory: what every silo derives from it, what the learner loads, and every refusal.</summary>
public sealed class ModelDirectoryAssetsTests : IDisposable
{
    readonly TemporaryFolder folder = new();

    string ModelDirectory(string family = "qwen3")
    {
        var directory = System.IO.Path.Combine(folder.Path, family);
        using (TinyHfModel.Write(directory, family)) { }
        return directory;
    }

    string Gsm8k(params string[] extraLines) => folder.File("gsm8k.jsonl", string.Join("\n",
    [
        .. Enumerable.Range(1, 12).Select(i => $$"""{"question": "Tom has {{i}} apples and buys one more. How many now?", "answer": "{{i}} + 1 = {{i + 1}}\n#### {{i + 1}}"}"""),
        .. extraLines,
    ]));

    RunConfig Config(string modelDirectory, string dataset) => new()
    {
        ModelPath = modelDirectory,
        Task = new ComponentSpec("gsm8k").WithParameter("path", dataset),
        HeldOutSize = 2,
        SystemPrompt = "Put the final answer after ####.",
        StopStrings = ["\n\n"],
        MaxCompletionTokens = 8,
        Rewards = [new ComponentSpec("answer").WithParameter("weight", 1), new ComponentSpec("format").WithParameter("weight", 0.1)],
    };

    [Fact]
    public void A_qwen3_directory_gives_the_chat_template_stop_tokens_task_and_weighted_reward()
    {
        var assets = RunAssets.Create(Config(ModelDirectory(), Gsm8k()));

        Assert.True(assets.IsPretrained);
        Assert.Equal(TinyHfModel.Config("qwen3"), assets.Model);
        Assert.Equal(10, assets.Train.Count);
        Assert.Equal(2, assets.HeldOut.Count);
        Assert.StartsWith("<|im_start|>system\nPut the final answer after ####.<|im_end|>\n<|im_start|>user\nTom has",
            assets.Codec.PromptText(assets.Train[0].Prompt));
        Assert.Contains(151645, assets.Codec.StopTokenIds); // <|im_end|>
        Assert.Equal(151643, assets.PadTokenId); // <|endoftext|>, the tokenizer's pad token
        Assert.Equal("#### 4", assets.Codec.DecodeCompletion(assets.Tokenizer.EncodeToIds("#### 4\n\nQuestion").ToArray()));
        var reward = Assert.IsType<Grpo.Core.Rewards.WeightedReward>(assets.Reward);
        Assert.IsType<Grpo.Core.Rewards.NumericAnswerReward>(assets.AnswerReward);
        Assert.Equal([0.1f, 1f], reward.Components.Select(c => c.Weight).Order());
        Assert.Equal(assets.Replacements(3, 1, 4), RunAssets.Create(assets.Config).Replacements(3, 1, 4));
        Assert.NotEqual(assets.Replacements(3, 1, 4), assets.Replacements(3, 2, 4));
    }

    [Fact]
    public async Task The_learner_starts_from_the_directory_weights_without_a_warm_up()
    {
        var directory = ModelDirectory("qwen2");
        var assets = RunAssets.Create(Config(directory, Gsm8k()) with { WarmupSftSteps = 1500 });
        using var expected = HfModelDirectory.Load(directory);

        await using var engine = await LearnerEngine.CreateAsync(assets, "hf-learner", TorchSharp.torch.CPU);

        Assert.Null(engine.Warmup);
        Assert.Equal(WeightSnapshot.Capture(expected).ToArray(), (await engine.SnapshotAsync(WeightSnapshot.DefaultSegmentBytes)).ToArray());
    }

    [Fact]
    public async Task A_weight_tensor_missing_from_the_directory_is_named_when_the_learner_loads_it()
    {
        var directory = ModelDirectory();
        var weights = SafeTensors.Load(System.IO.Path.Combine(directory, SafeTensors.SingleFileName));
        weights.Remove("model.layers.0.self_attn.k_proj.weight", out var removed);
        removed!.Dispose();
        SafeTensors.Save(System.IO.Path.Combine(directory, SafeTensors.SingleFileName), weights);
        foreach (var tensor in weights.Values) tensor.Dispose();

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LearnerEngine.CreateAsync(RunAssets.Create(Config(directory, Gsm8k())), "hf-missing", TorchSharp.torch.CPU));
        Assert.Contains("missing tensor 'model.layers.0.self_attn.k_proj.weight'", error.Message);
    }

    [Fact]
    public void A_llama_directory_sends_plain_prompts_that_start_with_bos()
    {
        var config = Config(ModelDirectory("llama"), Gsm8k()) with { UseChatTemplate = false, SystemPrompt = null };

        var assets = RunAssets.Create(config);

        var prompt = assets.Train[0].Prompt;
        Assert.Equal([151643, .. assets.Tokenizer.EncodeToIds(prompt)], assets.Codec.EncodePrompt(prompt));
        Assert.Equal([151645], assets.Codec.StopTokenIds); // no chat template: <|im_end|> is the config's and tokenizer's EOS only
    }

    [Theory]
    [InlineData("config.json")]
    [InlineData("tokenizer.json")]
    [InlineData("tokenizer_config.json")]
    public void A_missing_file_of_the_directory_is_named(string file)
    {
        var directory = ModelDirectory();
        File.Delete(System.IO.Path.Combine(directory, file));

        var error = Assert.Throws<FileNotFoundException>(() => RunAssets.Create(Config(directory, Gsm8k())));
        Assert.Contains($"has no {file}", error.Message);
    }

    [Theory]
    [InlineData("model_type", "mistral", "field 'model_type' = 'mistral' is not supported")]
    [InlineData("architectures", "MistralForCausalLM", "field 'architectures' = 'MistralForCausalLM' is not supported")]
    public void An_unsupported_architecture_is_named_with_its_field(string field, string value, string expected)
    {
        var directory = ModelDirectory();
        var path = System.IO.Path.Combine(directory, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json[field] = field == "architectures" ? new JsonArray(value) : value;
        File.WriteAllText(path, json.ToJsonString());

        var error = Assert.Throws<InvalidDataException>(() => RunAssets.Create(Config(directory, Gsm8k())));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_bad_dataset_line_is_named_by_file_line_and_field()
    {
        var dataset = Gsm8k("""{"question": "How many?", "answer": "three"}""");

        var error = Assert.Throws<InvalidDataException>(() => RunAssets.Create(Config(ModelDirectory(), dataset)));
        Assert.Contains($"task: task 'gsm8k' refused its configuration: {dataset}: line 13: field 'answer' has no final answer line", error.Message);
    }

    /// <summary>The no-tools lines of Llama-3.1-8B-Instruct's chat_template.</summary>
    const string Llama31Template =
        "{{- bos_token }}\n{%- if not date_string is defined %}\n    {%- set date_string = \"26 Jul 2024\" %}\n{%- endif %}\n" +
        "{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n{{- \"Cutting Knowledge Date: December 2023\\n\" }}\n" +
        "{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n{{- system_message }}\n{{- \"<|eot_id|>\" }}\n" +
        "{%- for message in messages %}\n        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}\n" +
        "{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n{%- endif %}\n";

    const int BeginOfText = 151643, EndOfTurn = 151645, EndOfText = 151647;

    /// <summary>
    /// A Llama directory whose tokenizer spells the Llama 3 special tokens: Qwen3's special tokens renamed in place
    /// (ids 151643..151647), so the vocabulary still fits the tiny model.
    /// </summary>
    string Llama3Directory()
    {
        var directory = ModelDirectory("llama");
        var tokenizerPath = System.IO.Path.Combine(directory, "tokenizer.json");
        var tokenizer = File.ReadAllText(tokenizerPath);
        foreach (var (qwen, llama) in new[]
        {
            ("<|endoftext|>", "<|begin_of_text|>"), ("<|im_start|>", "<|start_header_id|>"), ("<|im_end|>", "<|eot_id|>"),
            ("<|object_ref_start|>", "<|end_header_id|>"), ("<|object_ref_end|>", "<|end_of_text|>"),
        })
            tokenizer = tokenizer.Replace($"\"{qwen}\"", $"\"{llama}\"", StringComparison.Ordinal);
        File.WriteAllText(tokenizerPath, tokenizer);
        File.WriteAllText(System.IO.Path.Combine(directory, "tokenizer_config.json"), new JsonObject
        {
            ["bos_token"] = "<|begin_of_text|>", ["eos_token"] = "<|end_of_text|>", ["chat_template"] = Llama31Template,
        }.ToJsonString());
        var configPath = System.IO.Path.Combine(directory, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["eos_token_id"] = EndOfText;
        File.WriteAllText(configPath, config.ToJsonString());
        return directory;
    }

    [Fact]
    public void A_llama3_directory_sends_prompts_through_its_chat_template_with_one_bos_and_stops_at_eot()
    {
        var assets = RunAssets.Create(Config(Llama3Directory(), Gsm8k()));

        var prompt = assets.Train[0].Prompt;
        var text = assets.Codec.PromptText(prompt);
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n" +
            $"Put the final answer after ####.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n{prompt.Trim()}<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n", text);
        var ids = assets.Codec.EncodePrompt(prompt);
        Assert.Equal(assets.Tokenizer.EncodeToIds(text), ids);
        Assert.Equal(BeginOfText, ids[0]);
        Assert.Single(ids, id => id == BeginOfText);
        Assert.Equal([EndOfText, EndOfTurn], assets.Codec.StopTokenIds);
        Assert.Equal("#### 4", assets.Codec.DecodeCompletion([.. assets.Tokenizer.EncodeToIds("#### 4"), EndOfTurn, .. assets.Tokenizer.EncodeToIds("5")]));

        var plain = RunAssets.Create(assets.Config with { UseChatTemplate = false, SystemPrompt = null });
        Assert.Equal([BeginOfText, .. plain.Tokenizer.EncodeToIds(prompt)], plain.Codec.EncodePrompt(prompt));
        Assert.Equal([EndOfText], plain.Codec.StopTokenIds);
    }

    [Fact]
    public void A_llama3_template_with_a_tokenizer_that_lacks_its_tokens_is_refused_naming_both_files()
    {
        var directory = ModelDirectory("llama");
        var path = System.IO.Path.Combine(directory, "tokenizer_config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["chat_template"] = Llama31Template;
        File.WriteAllText(path, json.ToJsonString());

        var error = Assert.Throws<InvalidDataException>(() => RunAssets.Create(Config(directory, Gsm8k())));
        Assert.Contains($"{System.IO.Path.Combine(directory, "tokenizer.json")} has no token '<|eot_id|>'", error.Message);
        Assert.Contains($"field 'chat_template' of {path}", error.Message);
        Assert.Contains("use_chat_template", error.Message);
    }

    [Fact]
    public void An_unknown_template_is_refused_unless_prompts_go_as_plain_text()
    {
        var directory = ModelDirectory();
        var path = System.IO.Path.Combine(directory, "tokenizer_config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["chat_template"] = "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m.role }}<|end_header_id|>{% endfor %}";
        File.WriteAllText(path, json.ToJsonString());
        var config = Config(directory, Gsm8k()) with { SystemPrompt = null };

        var error = Assert.Throws<InvalidDataException>(() => RunAssets.Create(config));
        Assert.Contains("field 'chat_template'", error.Message);
        Assert.Contains("use_chat_template", error.Message);
        var plain = RunAssets.Create(config with { UseChatTemplate = false });
        Assert.Equal(plain.Train[0].Prompt, plain.Codec.PromptText(plain.Train[0].Prompt));
    }

    [Fact]
    public void A_dataset_task_on_a_built_in_model_gets_a_vocabulary_of_its_own_characters()
    {
        var config = new RunConfig { Task = new ComponentSpec("gsm8k").WithParameter("path", Gsm8k()), HeldOutSize = 1 };
        var assets = RunAssets.Create(config);
        var text = string.Concat(assets.Train.Concat(assets.HeldOut).Select(example => example.Prompt + example.Answer));
        var expected = text.Concat(CharTokenizer.ArithmeticAlphabet).Distinct().Count() + 3; // pad, bos, eos
        Assert.Equal(expected, assets.Model.VocabSize);
        Assert.Equal(assets.Train[0].Prompt, assets.Tokenizer.Decode(assets.Tokenizer.EncodeToIds(assets.Train[0].Prompt)));
        Assert.Equal(expected, RunAssets.Create(config).Model.VocabSize);
    }

    [Fact]
    public void The_demo_vocabulary_is_the_arithmetic_alphabet_alone() =>
        Assert.Equal(CharTokenizer.ForArithmetic().VocabSize, RunAssets.Create(new RunConfig()).Model.VocabSize);

    public void Dispose() => folder.Dispose();
}
