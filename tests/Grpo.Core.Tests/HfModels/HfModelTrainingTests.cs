using Grpo.Core.Checkpoints;
using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Core.Tests.Checkpoints;
using Grpo.Core.Tests.Tokenization;
using Grpo.Core.Tokenization;
using Grpo.Core.Training;
using TorchSharp;
using static TorchSharp.torch;
using Generator = Grpo.Core.Generation.Generator;

namespace Grpo.Core.Tests.HfModels;

/// <summary>
/// Tiny random Qwen2 and Qwen3 checkpoints with the real Qwen3 tokenizer, through the whole path a real model takes:
/// load the directory, prompt through the chat template, generate, train one GRPO step, save, reload.
/// </summary>
[Collection(Qwen3TokenizerCollection.Name)]
public sealed class HfModelTrainingTests(Qwen3TokenizerFixture fixture)
{
    const int ImEnd = 151645;
    const int EndOfText = 151643;

    PromptCodec Codec(string directory) => new(fixture.Tokenizer, ImEnd, bosTokenId: null, new PromptFormat
    {
        Template = ChatTemplate.Load(directory),
        SystemPrompt = "Answer with a number.",
        EnableThinking = false,
        ExtraStopTokenIds = [EndOfText],
    });

    [Theory]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    public void A_model_directory_loads_generates_trains_one_step_and_reloads_with_equal_logits(string family)
    {
        using var folder = new TempFolder();
        using var saved = new TempFolder();
        var source = Path.Combine(folder.Path, "model");
        using (TinyHfModel.Write(source, family)) { }
        using var policy = HfModelDirectory.Load(source);
        var codec = Codec(source);

        var prompt = codec.EncodePrompt("What is 2+3?");
        Assert.Equal(151644, prompt[0]); // <|im_start|>: the template's special tokens are single ids, not spelled out
        Assert.Equal(codec.PromptText("What is 2+3?"), fixture.Tokenizer.Decode(prompt));
        Assert.EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n", codec.PromptText("What is 2+3?"));

        var generator = new Generator(policy, EndOfText, codec.DecodeUntilStop);
        var sampling = new SamplingOptions { MaxNewTokens = 6, EosTokenIds = codec.StopTokenIds };
        using var random = new TorchSharp.torch.Generator(3);
        var generated = generator.Generate(Enumerable.Repeat(prompt, 4).ToArray(), sampling, random);
        Assert.All(generated, g => Assert.InRange(g.Tokens.Length, 1, 6));
        Assert.All(generated, g => Assert.All(g.LogProbs, p => Assert.True(float.IsFinite(p) && p <= 0)));

        using var probe = tensor(prompt.Select(id => (long)id).ToArray()).unsqueeze(0);
        using var before = policy.forward(probe);
        using var reference = ReferencePolicy.FrozenCopy(policy);
        using (var learner = new GrpoLearner(policy, reference, new LearnerOptions
               {
                   MiniBatchSize = 4,
                   LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-2 },
               }, EndOfText))
        {
            float[] advantages = [1f, -1f, 0.5f, -0.5f];
            var result = learner.Train(generated.Select((g, i) => new CompletionSample(prompt, g.Tokens, g.LogProbs, advantages[i], false, 0)).ToArray());
            Assert.Equal(1, result.OptimizerUpdates);
            Assert.True(result.GradNorm > 0, "a step with non-zero advantages must have a gradient");
        }
        using var after = policy.forward(probe);
        Assert.False(allclose(before, after), "one GRPO step must change the policy");

        HfModelDirectory.Save(saved.Path, policy);
        using var reloaded = HfModelDirectory.Load(saved.Path);
        using var again = reloaded.forward(probe);
        Assert.Equal(policy.Config, reloaded.Config);
        Assert.True(equal(after, again).all().item<bool>(), "the saved and reloaded policy must give identical logits");
    }

    [Fact]
    public void Bf16_weights_on_disk_load_into_float32_master_weights_equal_to_the_rounded_originals()
    {
        using var folder = new TempFolder();
        using var original = TinyHfModel.Write(folder.Path, "qwen3", bf16: true);
        var onDisk = SafeTensors.Load(folder.File(SafeTensors.SingleFileName));
        Assert.All(onDisk.Values, tensor => Assert.Equal(ScalarType.BFloat16, tensor.dtype));
        foreach (var tensor in onDisk.Values) tensor.Dispose();

        using var loaded = HfModelDirectory.Load(folder.Path);
        var expected = original.state_dict();
        foreach (var (name, parameter) in loaded.state_dict())
        {
            Assert.Equal(ScalarType.Float32, parameter.dtype);
            using var rounded = expected[name].to(ScalarType.BFloat16).to(ScalarType.Float32);
            Assert.True(equal(rounded, parameter).all().item<bool>(), $"{name} must equal its bf16-rounded original");
        }
    }

    [Fact]
    public void A_bfloat16_copy_of_the_policy_generates_with_finite_log_probs()
    {
        using var folder = new TempFolder();
        using var model = TinyHfModel.Write(folder.Path, "qwen3");
        model.to(ScalarType.BFloat16);
        var codec = Codec(folder.Path);
        var generator = new Generator(model, EndOfText, codec.DecodeUntilStop);

        var generated = generator.Generate([codec.EncodePrompt("1+1?"), codec.EncodePrompt("Name a colour.")],
            new SamplingOptions { Temperature = 0, MaxNewTokens = 4, EosTokenIds = codec.StopTokenIds });

        Assert.All(generated, g => Assert.All(g.LogProbs, p => Assert.True(float.IsFinite(p))));
    }

    [Fact]
    public void Generation_stops_at_a_stop_string_and_the_completion_text_ends_before_it()
    {
        using var folder = new TempFolder();
        using var model = TinyHfModel.Write(folder.Path, "qwen3");
        var prompt = Codec(folder.Path).EncodePrompt("Count to three.");
        var greedy = new SamplingOptions { Temperature = 0, MaxNewTokens = 6, EosTokenIds = [ImEnd] };
        var free = new Generator(model, EndOfText, Codec(folder.Path).DecodeUntilStop).Generate([prompt], greedy)[0];
        // The text of the greedy completion's third token becomes a stop string, so the same greedy run must stop by its third token.
        var stop = fixture.Tokenizer.Decode([free.Tokens[2]]);
        Assert.False(string.IsNullOrEmpty(stop));
        var codec = new PromptCodec(fixture.Tokenizer, ImEnd, format: new PromptFormat { StopStrings = [stop] });

        var stopped = new Generator(model, EndOfText, codec.DecodeUntilStop).Generate([prompt], greedy with { StopStrings = [stop] })[0];

        var firstStop = codec.DecodeUntilStop(free.Tokens).IndexOf(stop, StringComparison.Ordinal);
        Assert.Equal(FinishReason.StopString, stopped.FinishReason);
        Assert.True(stopped.Tokens.Length <= 3, $"generation must stop once the text holds the stop string, got {stopped.Tokens.Length} tokens");
        Assert.Equal(codec.DecodeUntilStop(free.Tokens)[..firstStop], codec.DecodeCompletion(stopped.Tokens));
    }

    [Fact]
    public void A_missing_weight_tensor_is_named()
    {
        using var folder = new TempFolder();
        using (var model = TinyHfModel.Write(folder.Path, "qwen2"))
        {
            var kept = model.state_dict().Where(kv => kv.Key != "model.layers.1.mlp.up_proj.weight").ToDictionary(kv => kv.Key, kv => kv.Value);
            SafeTensors.Save(folder.File(SafeTensors.SingleFileName), kept);
        }

        var error = Assert.Throws<InvalidDataException>(() => HfModelDirectory.Load(folder.Path));
        Assert.Contains("missing tensor 'model.layers.1.mlp.up_proj.weight'", error.Message);
    }

    [Fact]
    public void A_directory_without_weights_is_refused_naming_both_layouts()
    {
        using var folder = new TempFolder();
        TinyHfModel.Config("qwen3").Save(folder.File(HfModelDirectory.ConfigFileName));
        using var model = new CausalLM(TinyHfModel.Config("qwen3"));

        var error = Assert.Throws<FileNotFoundException>(() => HfModelFiles.LoadWeightsInto(folder.Path, model));
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("model.safetensors.index.json", error.Message);
    }

    [Theory]
    [InlineData("config.json")]
    [InlineData("tokenizer.json")]
    [InlineData("tokenizer_config.json")]
    public void Each_missing_model_directory_file_is_named(string file)
    {
        using var folder = new TempFolder();
        using (TinyHfModel.Write(folder.Path, "qwen3")) { }
        File.Delete(folder.File(file));

        var error = Assert.Throws<FileNotFoundException>(() => HfModelFiles.RequireModelAndTokenizer(folder.Path));
        Assert.Contains($"has no {file}", error.Message);
    }
}
