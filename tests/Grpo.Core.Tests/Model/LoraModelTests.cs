using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

public sealed class LoraModelTests
{
    static readonly long[][] Rows = [[3, 7, 11, 2, 5, 9], [4, 4, 8, 15, 16, 23]];

    static LoraOptions Options(int rank = 4, double alpha = 8, string baseDtype = "float32") =>
        new() { Rank = rank, Alpha = alpha, BaseDtype = baseDtype };

    /// <summary>Gives every lora_B random values, so the adapters change the output.</summary>
    static void RandomiseB(CausalLM model, int seed = 99)
    {
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed);
        foreach (var (name, value) in model.AdapterStateDict())
            if (name.Contains(".lora_B.", StringComparison.Ordinal))
                value.copy_(randn(value.shape, generator: generator) * 0.2);
    }

    static Tensor Logits(CausalLM model)
    {
        using var ids = TestModels.Ids(Rows);
        using var noGrad = no_grad();
        return model.forward(ids);
    }

    static bool Equal(Tensor a, Tensor b)
    {
        using var same = a.eq(b).all();
        return same.item<bool>();
    }

    static float MaxDifference(Tensor a, Tensor b)
    {
        using var difference = (a - b).abs().max();
        return difference.item<float>();
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    [InlineData("llama")]
    public void FreshAdaptersLeaveTheLogitsExactlyThoseOfTheBase(string family)
    {
        using var model = TestModels.Create(TestModels.ByName(family));
        using var before = Logits(model);
        model.ApplyLora(Options());
        using var after = Logits(model);
        Assert.True(Equal(before, after));
    }

    [Fact]
    public void AdaptersDisabledGivesTheBaseExactlyAfterTheAdaptersChanged()
    {
        using var model = TestModels.Create(TestModels.Qwen2());
        using var baseLogits = Logits(model);
        model.ApplyLora(Options());
        RandomiseB(model);
        using var adapted = Logits(model);
        Assert.False(Equal(baseLogits, adapted));
        using (model.AdaptersDisabled())
        {
            using (model.AdaptersDisabled())
            {
                using var inner = Logits(model);
                Assert.True(Equal(baseLogits, inner));
            }
            // Still disabled: the outer scope has not ended.
            using var outer = Logits(model);
            Assert.True(Equal(baseLogits, outer));
        }
        using var again = Logits(model);
        Assert.True(Equal(adapted, again));
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    public void MergedWeightsGiveTheAdapterModelsLogits(string family)
    {
        var config = TestModels.ByName(family);
        using var model = TestModels.Create(config);
        model.ApplyLora(Options(alpha: 16));
        RandomiseB(model);
        using var adapted = Logits(model);

        var merged = model.MergedStateDict();
        try
        {
            Assert.DoesNotContain(merged.Keys, CausalLM.IsAdapterKey);
            Assert.All(merged.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
            using var plain = new CausalLM(config);
            Assert.Equal(plain.state_dict().Keys.Order(StringComparer.Ordinal), merged.Keys.Order(StringComparer.Ordinal));
            WeightLoader.LoadInto(plain, merged, "merged", strict: true);
            using var mergedLogits = Logits(plain);
            Assert.True(MaxDifference(adapted, mergedLogits) < 1e-5 * Math.Max(1, MaxAbs(adapted)), $"difference {MaxDifference(adapted, mergedLogits)}");
        }
        finally
        {
            foreach (var tensor in merged.Values) tensor.Dispose();
        }
    }

    static float MaxAbs(Tensor t)
    {
        using var max = t.abs().max();
        return max.item<float>();
    }

    [Fact]
    public void AdapterKeysAndShapesArePeftsForTheChosenTargets()
    {
        var config = TestModels.Qwen2();
        using var model = new CausalLM(config);
        var baseKeys = model.state_dict().Keys.ToHashSet();
        model.ApplyLora(new LoraOptions { Rank = 3, TargetModules = ["q_proj", "down_proj"] });
        var adapters = model.AdapterStateDict();
        var expected = Enumerable.Range(0, config.NumHiddenLayers).SelectMany(i => new[]
        {
            $"model.layers.{i}.self_attn.q_proj.lora_A.weight", $"model.layers.{i}.self_attn.q_proj.lora_B.weight",
            $"model.layers.{i}.mlp.down_proj.lora_A.weight", $"model.layers.{i}.mlp.down_proj.lora_B.weight",
        });
        Assert.Equal(expected.Order(StringComparer.Ordinal), adapters.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([3L, config.HiddenSize], adapters["model.layers.0.self_attn.q_proj.lora_A.weight"].shape);
        Assert.Equal([(long)config.NumAttentionHeads * config.HeadDim, 3L], adapters["model.layers.0.self_attn.q_proj.lora_B.weight"].shape);
        Assert.Equal([3L, config.IntermediateSize], adapters["model.layers.1.mlp.down_proj.lora_A.weight"].shape);
        Assert.Equal([(long)config.HiddenSize, 3L], adapters["model.layers.1.mlp.down_proj.lora_B.weight"].shape);
        // The base keys (q_proj.bias among them) are still there, unchanged.
        Assert.Equal(baseKeys.Order(StringComparer.Ordinal), model.state_dict().Keys.Where(k => !CausalLM.IsAdapterKey(k)).Order(StringComparer.Ordinal));
        using var zero = adapters["model.layers.0.self_attn.q_proj.lora_B.weight"].abs().sum();
        Assert.Equal(0f, zero.item<float>());
        using var spread = adapters["model.layers.0.self_attn.q_proj.lora_A.weight"].abs().sum();
        Assert.True(spread.item<float>() > 0);
    }

    [Fact]
    public void TheProjectionInitialisesExactlyAsNnLinearDid()
    {
        // A run's seed must rebuild the same base as before the projections became LoraCapableLinear.
        torch.manual_seed(7);
        using var expected = nn.Linear(6, 5, hasBias: true);
        torch.manual_seed(7);
        using var actual = new LoraCapableLinear(6, 5, hasBias: true);
        Assert.True(Equal(expected.weight, actual.Weight));
        Assert.True(Equal(expected.bias!, actual.Bias!));
    }

    [Fact]
    public void OnlyAdaptersRequireAndReceiveGradients()
    {
        using var model = TestModels.Create(TestModels.Qwen2());
        model.ApplyLora(Options());
        RandomiseB(model);
        foreach (var (name, parameter) in model.named_parameters())
            Assert.True(parameter.requires_grad == CausalLM.IsAdapterKey(name), $"{name}: requires_grad {parameter.requires_grad}");

        using var ids = TestModels.Ids(Rows);
        using (var logits = model.forward(ids))
        using (var loss = logits.square().mean())
            loss.backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (CausalLM.IsAdapterKey(name))
            {
                Assert.NotNull(parameter.grad);
                using var size = parameter.grad!.abs().sum();
                Assert.True(size.item<float>() > 0, $"{name} has an all-zero gradient");
            }
            else
            {
                Assert.Null(parameter.grad);
            }
        }
    }

    [Fact]
    public void AnAdapterGradientMatchesFiniteDifferences()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        model.ApplyLora(Options());
        RandomiseB(model);
        var a = model.AdapterStateDict()["model.layers.0.mlp.up_proj.lora_A.weight"];
        using var ids = TestModels.Ids(Rows);
        using var probe = randn(2, 6, TestModels.Vocab, generator: new Generator(5));

        double Loss()
        {
            using var noGrad = no_grad();
            using var logits = model.forward(ids);
            using var loss = (logits * probe).sum();
            return loss.item<float>();
        }

        using (var logits = model.forward(ids))
        using (var loss = (logits * probe).sum())
            loss.backward();
        const double step = 1e-2;
        foreach (var (row, column) in new[] { (0, 0), (2, 17), (3, 31) })
        {
            var analytic = a.grad!.index(row, column).item<float>();
            var original = a.index(row, column).item<float>();
            using (no_grad()) a.index_put_(original + step, row, column);
            var up = Loss();
            using (no_grad()) a.index_put_(original - step, row, column);
            var down = Loss();
            using (no_grad()) a.index_put_(original, row, column);
            var numeric = (up - down) / (2 * step);
            Assert.True(Math.Abs(numeric - analytic) <= 2e-2 * Math.Max(1, Math.Abs(analytic)), $"A[{row},{column}]: analytic {analytic}, numeric {numeric}");
        }
    }

    [Fact]
    public void Bfloat16BaseWeightsHalveTheirStorageAndStayCloseToTheFloat32Base()
    {
        using var model = TestModels.Create(TestModels.Qwen2());
        using var float32Logits = Logits(model);
        model.ApplyLora(Options(baseDtype: "bfloat16"));
        var state = model.state_dict();
        Assert.Equal(ScalarType.BFloat16, state["model.layers.0.self_attn.q_proj.weight"].dtype);
        Assert.Equal(ScalarType.BFloat16, state["model.layers.1.mlp.down_proj.weight"].dtype);
        Assert.Equal(ScalarType.Float32, state["model.layers.0.self_attn.q_proj.bias"].dtype);
        Assert.Equal(ScalarType.Float32, state["model.layers.0.self_attn.q_proj.lora_A.weight"].dtype);
        RandomiseB(model);
        using var adapted = Logits(model);
        Assert.Equal(ScalarType.Float32, adapted.dtype);
        using (model.AdaptersDisabled())
        {
            using var bfloat16Logits = Logits(model);
            // bfloat16 keeps 8 significant bits: relative rounding of 2^-9 per weight, accumulated over the layers.
            var difference = MaxDifference(float32Logits, bfloat16Logits);
            Assert.True(difference > 0, "bfloat16 weights should round somewhere");
            Assert.True(difference < 0.03 * MaxAbs(float32Logits), $"difference {difference} against logits up to {MaxAbs(float32Logits)}");
        }
    }

    [Fact]
    public void LoadAdaptersCopiesExactlyAndRefusesMismatchesByName()
    {
        var config = TestModels.Qwen3();
        using var source = TestModels.Create(config);
        source.ApplyLora(Options());
        RandomiseB(source);
        using var target = TestModels.Create(config);
        target.ApplyLora(Options());
        target.LoadAdapters(source.AdapterStateDict(), "source");
        using var expected = Logits(source);
        using var actual = Logits(target);
        Assert.True(Equal(expected, actual));

        var missing = source.AdapterStateDict();
        missing.Remove("model.layers.1.mlp.up_proj.lora_B.weight");
        var error = Assert.Throws<InvalidDataException>(() => target.LoadAdapters(missing, "partial.safetensors"));
        Assert.Contains("partial.safetensors", error.Message);
        Assert.Contains("missing tensor 'model.layers.1.mlp.up_proj.lora_B.weight'", error.Message);

        using var wrong = zeros(5, 5);
        var badShape = source.AdapterStateDict();
        badShape["model.layers.0.self_attn.q_proj.lora_A.weight"] = wrong;
        badShape["model.layers.0.self_attn.q_proj.lora_C.weight"] = wrong;
        error = Assert.Throws<InvalidDataException>(() => target.LoadAdapters(badShape, "bad"));
        Assert.Contains("'model.layers.0.self_attn.q_proj.lora_A.weight' has shape [5, 5] but the model expects [4, 32]", error.Message);
        Assert.Contains("unexpected tensor 'model.layers.0.self_attn.q_proj.lora_C.weight'", error.Message);

        using var plain = TestModels.Create(config);
        Assert.Throws<InvalidOperationException>(() => plain.LoadAdapters(source.AdapterStateDict(), "source"));
        Assert.Throws<InvalidOperationException>(() => target.ApplyLora(Options()));
    }

    [Fact]
    public void DropoutActsOnlyInTrainingMode()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        model.ApplyLora(Options() with { Dropout = 0.5 });
        RandomiseB(model);
        model.eval();
        using var first = Logits(model);
        using var second = Logits(model);
        Assert.True(Equal(first, second));
        model.train();
        using var dropped = Logits(model);
        Assert.False(Equal(first, dropped));
    }

    [Fact]
    public void MergingInPlaceKeepsTheLogitsAndUnmergingRestoresTheBase()
    {
        using var model = TestModels.Create(TestModels.Qwen2());
        model.ApplyLora(Options());
        RandomiseB(model);
        var baseWeight = model.state_dict()["model.layers.0.mlp.up_proj.weight"];
        using var baseBefore = baseWeight.clone();
        using var adapted = Logits(model);

        model.MergeAdapters();
        Assert.True(model.AdaptersMerged);
        using var merged = Logits(model);
        Assert.True(MaxDifference(adapted, merged) < 1e-5 * Math.Max(1, MaxAbs(adapted)), $"difference {MaxDifference(adapted, merged)}");
        Assert.False(Equal(baseBefore, baseWeight));
        Assert.Throws<InvalidOperationException>(() => model.AdaptersDisabled());

        // New adapters loaded into a merged model replace the old product rather than adding to it.
        using var other = TestModels.Create(TestModels.Qwen2());
        other.ApplyLora(Options());
        RandomiseB(other, seed: 5);
        using var otherLogits = Logits(other);
        model.LoadAdapters(other.AdapterStateDict(), "other");
        Assert.True(model.AdaptersMerged);
        using var reloaded = Logits(model);
        Assert.True(MaxDifference(otherLogits, reloaded) < 1e-5 * Math.Max(1, MaxAbs(otherLogits)), $"difference {MaxDifference(otherLogits, reloaded)}");

        model.UnmergeAdapters();
        using var drift = (baseWeight - baseBefore).abs().max();
        Assert.True(drift.item<float>() < 1e-6, $"the base moved by {drift.item<float>()}");
        using var unmerged = Logits(model);
        Assert.True(MaxDifference(otherLogits, unmerged) < 1e-5 * Math.Max(1, MaxAbs(otherLogits)));
    }

    [Fact]
    public void Bfloat16BaseWeightsRefuseToMerge()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        model.ApplyLora(Options(baseDtype: "bfloat16"));
        var error = Assert.Throws<InvalidOperationException>(model.MergeAdapters);
        Assert.Contains("BFloat16", error.Message);
        Assert.False(model.AdaptersMerged);
    }
}
