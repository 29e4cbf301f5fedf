using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

public sealed class ChunkedLogProbsTests
{
    const int Pad = 0;
    const double Tolerance = 1e-6;

    // Different matmul shapes (one chunk vs the whole slice) round differently in float32, and the deep gradients of these
    // deliberately peaked test models magnify that; the float64 test is the exactness check, this bounds the rounding.
    const double Float32Tolerance = 1e-5;

    // Ragged on purpose: 1 + 4 + 2 = 7 real completion tokens in a [3, 4] slice.
    static readonly int[][] Prompts = [[5, 6, 7], [8], [9, 10]];
    static readonly int[][] Completions = [[11, 12], [13, 14, 15, 16], [17]];

    [Theory]
    [InlineData("qwen3", 1)]
    [InlineData("qwen3", 3)]
    [InlineData("qwen3", 64)]
    [InlineData("qwen2", 1)]
    [InlineData("qwen2", 3)]
    [InlineData("llama", 5)]
    public void InFloat64ChunkedLogProbsAndEveryParameterGradientEqualPlainLogSoftmax(string family, int chunkTokens)
    {
        const float temperature = 0.7f;
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.ByName(family));
        model.to(ScalarType.Float64);
        var (plainValues, plainGrads) = PlainFloat64(model, temperature);
        model.zero_grad();
        var (logProbs, mask) = SequenceLogProbs.Completions(model, Prompts, Completions, temperature, Pad, chunkTokens);
        Assert.Equal(ScalarType.Float64, logProbs.dtype);
        (logProbs * mask * TokenWeights(logProbs.shape, ScalarType.Float64)).sum().backward();
        var chunkedValues = logProbs.detach().data<double>().ToArray();
        for (var i = 0; i < plainValues.Length; i++) Assert.Equal(plainValues[i], chunkedValues[i], Tolerance);
        foreach (var (name, parameter) in model.named_parameters())
        {
            var plain = plainGrads[name];
            var chunked = parameter.grad!.data<double>().ToArray();
            Assert.True(plain.Any(v => v != 0), $"{name} got no gradient on the plain path");
            for (var i = 0; i < plain.Length; i++)
                Assert.True(Math.Abs(plain[i] - chunked[i]) <= Tolerance, $"{name}[{i}]: plain {plain[i]} vs chunked {chunked[i]}");
        }
    }

    [Theory]
    [InlineData("qwen3", 1)]
    [InlineData("qwen3", 3)]
    [InlineData("qwen2", 2)]
    public void InFloat32ChunkedEqualsUnchunkedUpToRounding(string family, int chunkTokens)
    {
        const float temperature = 0.7f;
        var (plainValues, plainGrads) = LogProbsAndGradients(family, temperature, chunkTokens: 0);
        var (chunkedValues, chunkedGrads) = LogProbsAndGradients(family, temperature, chunkTokens);
        Assert.Equal(plainValues.Length, chunkedValues.Length);
        var worst = 0.0;
        for (var i = 0; i < plainValues.Length; i++) worst = Math.Max(worst, RelativeGap(plainValues[i], chunkedValues[i]));
        foreach (var (name, plain) in plainGrads)
            for (var i = 0; i < plain.Length; i++) worst = Math.Max(worst, RelativeGap(plain[i], chunkedGrads[name][i]));
        Console.WriteLine($"{family} chunk {chunkTokens}: worst float32 gap {worst:E2}");
        Assert.True(worst <= Float32Tolerance, $"worst relative gap {worst:E2} exceeds {Float32Tolerance:E0}");
    }

    [Fact]
    public void NonPositiveTemperatureMeansOneOnTheChunkedPathToo()
    {
        var (one, _) = LogProbsAndGradients("qwen3", 1f, chunkTokens: 2);
        var (zero, _) = LogProbsAndGradients("qwen3", 0f, chunkTokens: 2);
        Assert.Equal(one, zero);
    }

    [Fact]
    public void WorksWithoutGradientAsTheLearnerNeedsForOldLogProbs()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.Qwen2());
        using var noGrad = no_grad();
        var (plain, _) = SequenceLogProbs.Completions(model, Prompts, Completions, 0.7f, Pad);
        var (chunked, mask) = SequenceLogProbs.Completions(model, Prompts, Completions, 0.7f, Pad, chunkTokens: 2);
        Assert.False(chunked.requires_grad);
        Assert.True(allclose(plain, chunked, 0, Tolerance));
        Assert.Equal(0f, (chunked * (1 - mask)).abs().sum().item<float>());
    }

    [Fact]
    public void CustomBackwardMatchesFloat64FiniteDifferences()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var hidden = randn([5, 4], ScalarType.Float64, generator: generator).requires_grad_();
        var weight = randn([7, 4], ScalarType.Float64, generator: generator).requires_grad_();
        var targets = tensor(new long[] { 0, 6, 3, 3, 1 });
        var upstream = tensor(new[] { 0.5, -1.25, 2.0, 0.75, -0.3 });
        const double temperature = 0.8;
        double Loss() => (ChunkedTokenLogProbs.Compute(hidden, weight, targets, temperature, chunkTokens: 2) * upstream).sum().item<double>();

        (ChunkedTokenLogProbs.Compute(hidden, weight, targets, temperature, chunkTokens: 2) * upstream).sum().backward();
        foreach (var parameter in new[] { hidden, weight })
        {
            var analytic = parameter.grad!.data<double>().ToArray();
            var flat = parameter.detach().view(-1);
            for (var i = 0; i < analytic.Length; i++)
            {
                const double step = 1e-6;
                var original = flat[i].item<double>();
                using (no_grad()) flat[i] = original + step;
                var up = Loss();
                using (no_grad()) flat[i] = original - step;
                var down = Loss();
                using (no_grad()) flat[i] = original;
                var numeric = (up - down) / (2 * step);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-7 * Math.Max(1, Math.Abs(numeric)),
                    $"element {i}: finite difference {numeric} vs backward {analytic[i]}");
            }
        }
    }

    [Fact]
    public void WeightGradientAddsToAnExistingGradientAndReachesNonLeafWeights()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        var hidden = randn([6, 4], ScalarType.Float64, generator: generator).requires_grad_();
        var weight = randn([9, 4], ScalarType.Float64, generator: generator).requires_grad_();
        var targets = tensor(new long[] { 8, 0, 4, 4, 2, 7 });
        var upstream = tensor(new[] { 1.0, -0.5, 0.25, 2.0, -1.5, 0.75 });
        var plain = (nn.functional.log_softmax(hidden.matmul(weight.t()) / 0.6, -1).gather(1, targets.unsqueeze(1)).squeeze(1) * upstream).sum();
        plain.backward();
        var expectedWeight = weight.grad!.clone();
        var expectedHidden = hidden.grad!.clone();

        // A leaf whose .grad already holds something (an earlier micro-batch) gets this gradient added to it.
        weight.grad = full_like(weight, 3.0);
        hidden.grad = null;
        (ChunkedTokenLogProbs.Compute(hidden, weight, targets, 0.6, chunkTokens: 4) * upstream).sum().backward();
        Assert.True(allclose(weight.grad!, expectedWeight + 3.0, 0, 1e-12));
        Assert.True(allclose(hidden.grad!, expectedHidden, 0, 1e-12));

        // A weight computed from a parameter (not a leaf) gets its gradient through autograd.
        weight.grad = null;
        (ChunkedTokenLogProbs.Compute(hidden, weight * 2.0, targets, 0.6, chunkTokens: 4) * upstream).sum().backward();
        var scaledPlain = (nn.functional.log_softmax(hidden.matmul((weight * 2.0).t()) / 0.6, -1).gather(1, targets.unsqueeze(1)).squeeze(1) * upstream).sum();
        var expected = autograd.grad([scaledPlain], [weight])[0];
        Assert.True(allclose(weight.grad!, expected, 0, 1e-12));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        using var scope = NewDisposeScope();
        var hidden = zeros(3, 4);
        var weight = zeros(7, 4);
        var targets = zeros([3], ScalarType.Int64);
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedTokenLogProbs.Compute(hidden, weight, targets, 1, 0));
        Assert.Contains("weight", Assert.Throws<ArgumentException>(() => ChunkedTokenLogProbs.Compute(hidden, zeros(7, 5), targets, 1, 2)).Message, StringComparison.Ordinal);
        Assert.Contains("targets", Assert.Throws<ArgumentException>(() => ChunkedTokenLogProbs.Compute(hidden, weight, zeros([2], ScalarType.Int64), 1, 2)).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The plain computation row by row, unpadded: full-sequence logits, log_softmax, the completion tokens picked, and the
    /// gradient of the same weighted sum the chunked path is differentiated through.
    /// </summary>
    static (double[] Values, Dictionary<string, double[]> Grads) PlainFloat64(CausalLM model, float temperature)
    {
        var width = Completions.Max(c => c.Length);
        var values = new double[Prompts.Length * width];
        var weights = TokenWeights([Prompts.Length, width], ScalarType.Float64);
        Tensor? loss = null;
        for (var r = 0; r < Prompts.Length; r++)
        {
            var (prompt, completion) = (Prompts[r], Completions[r]);
            var ids = tensor(prompt.Concat(completion).Select(t => (long)t).ToArray(), [1, prompt.Length + completion.Length]);
            var logProbs = nn.functional.log_softmax(model.forward(ids) / (double)temperature, -1);
            for (var i = 0; i < completion.Length; i++)
            {
                var picked = logProbs[0, prompt.Length - 1 + i, completion[i]];
                values[r * width + i] = picked.item<double>();
                var term = picked * weights[r, i];
                loss = loss is null ? term : loss + term;
            }
        }
        loss!.backward();
        return (values, model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.data<double>().ToArray()));
    }

    static Tensor TokenWeights(long[] shape, ScalarType dtype) =>
        arange(1, shape.Aggregate(1L, (a, b) => a * b) + 1, dtype).reshape(shape).cos();

    static double RelativeGap(double a, double b) => Math.Abs(a - b) / Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

    /// <summary>Log-probs and the gradient of a weighted sum of them (weights differ per token, so g varies) w.r.t. every parameter.</summary>
    static (float[] Values, Dictionary<string, float[]> Grads) LogProbsAndGradients(string family, float temperature, int chunkTokens)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.ByName(family));
        var (logProbs, mask) = SequenceLogProbs.Completions(model, Prompts, Completions, temperature, Pad, chunkTokens);
        (logProbs * mask * TokenWeights(logProbs.shape, ScalarType.Float32)).sum().backward();
        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.data<float>().ToArray());
        return (logProbs.detach().data<float>().ToArray(), grads);
    }
}
