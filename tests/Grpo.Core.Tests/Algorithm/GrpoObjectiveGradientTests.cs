using Grpo.Core.Algorithm;
using TorchSharp;
using static Grpo.Core.Tests.Algorithm.TestTensors;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Algorithm;

public sealed class GrpoObjectiveGradientTests
{
    // 3 completions × 4 tokens in float64. Range [0.8, 1.3] (ε_low 0.2, ε_high 0.3), β = 0.1 with k3.
    // Row 0 (A = +1.2): 1.05 inside, 1.6 upper-clipped, 0.5 below but unclipped (A > 0), 0.95 inside.
    // Row 1 (A = -0.7): 0.6 lower-clipped, 1.4 above but unclipped (A < 0), 0.9 inside, padding.
    // Row 2 (A = +0.4): 1.1 and 0.85 inside, two padding tokens.
    // Every ratio is at least 0.05 from a clip edge, far beyond the finite-difference step.
    static readonly double[,] Behaviour = { { -1.3, -0.2, -2.1, -0.9 }, { -0.6, -1.7, -0.4, -3.0 }, { -2.2, -0.8, -1.0, -1.5 } };
    static readonly double[,] Ratios = { { 1.05, 1.6, 0.5, 0.95 }, { 0.6, 1.4, 0.9, 1.0 }, { 1.1, 0.85, 1.0, 1.0 } };
    static readonly double[,] Reference = { { -1.0, -0.5, -1.8, -1.2 }, { -0.9, -1.2, -0.7, -2.0 }, { -2.0, -1.1, -0.6, -1.0 } };
    static readonly double[,] Mask = { { 1, 1, 1, 1 }, { 1, 1, 1, 0 }, { 1, 1, 0, 0 } };
    static readonly double[] Advantages = [1.2, -0.7, 0.4];

    const double Step = 1e-6;

    [Theory]
    [InlineData("grpo", ImportanceSampling.Token)]
    [InlineData("bnpo", ImportanceSampling.Token)]
    [InlineData("dapo", ImportanceSampling.Token)]
    [InlineData("dr_grpo", ImportanceSampling.Token)]
    [InlineData("grpo", ImportanceSampling.Sequence)]
    [InlineData("bnpo", ImportanceSampling.Sequence)]
    public void Autograd_matches_central_differences_for_every_element(string aggregation, ImportanceSampling sampling)
    {
        using var scope = NewDisposeScope();
        var options = new GrpoOptions
        {
            EpsilonLow = 0.2f, EpsilonHigh = 0.3f, Beta = 0.1f, Kl = new K3KlEstimator(),
            Aggregation = BuiltIns.Aggregation(aggregation), ImportanceSampling = sampling, MaxCompletionTokens = 4,
        };
        var policy = ShiftByLogRatio(Behaviour, Ratios);
        var logProbs = Matrix(policy, ScalarType.Float64, requiresGrad: true);

        var result = GrpoObjective.Compute(logProbs, Matrix(Behaviour, ScalarType.Float64), Matrix(Reference, ScalarType.Float64),
            Matrix(Mask, ScalarType.Float64), Vector(Advantages, ScalarType.Float64), options);
        result.Loss.backward();
        var analytic = Values(logProbs.grad!);

        if (sampling == ImportanceSampling.Token)
            Assert.True(result.Stats.ClipFractionLow > 0f && result.Stats.ClipFractionHigh > 0f, "the case must cross both clip edges");

        var numeric = CentralDifferences(policy, point => LossValue(point, options), Step);

        AllClose(numeric, analytic, 1e-7);
        // Padding positions must not influence anything.
        foreach (var padded in new[] { 7, 10, 11 })
            Assert.Equal(0.0, analytic[padded]);
    }

    static double LossValue(double[,] policy, GrpoOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var result = GrpoObjective.Compute(Matrix(policy, ScalarType.Float64), Matrix(Behaviour, ScalarType.Float64), Matrix(Reference, ScalarType.Float64),
            Matrix(Mask, ScalarType.Float64), Vector(Advantages, ScalarType.Float64), options);
        return result.Loss.item<double>();
    }

    // μ = 1: the policy that is trained is the one that sampled, so π_old is a detached copy and ρ ≡ 1.
    // 2 completions, lengths 3 and 2, A = [0.6, -0.2], β = 0, surrogate per token = -A_i · ρ = -A_i.
    //   Grpo: loss = mean_i(-A_i · len_i / len_i) = -(0.6 - 0.2) / 2 = -0.2;
    //         d loss / d logπθ_it = -A_i ρ / (completions · len_i): row 0 -0.6 / 6 = -0.1, row 1 0.2 / 4 = 0.05.
    //   Bnpo: loss = -(0.6 · 3 - 0.2 · 2) / 5 = -0.28; gradient -A_i / 5: row 0 -0.12, row 1 0.04.
    // (min(ρA, clip(ρ)A) ties at ρ = 1; torch splits the gradient between both branches, which sum to the full -A ρ.)
    [Theory]
    [InlineData("grpo", -0.2, -0.1, 0.05)]
    [InlineData("bnpo", -0.28, -0.12, 0.04)]
    public void At_mu_one_the_ratio_is_exactly_one_yet_the_gradient_is_not_zero(string aggregation, double expectedLoss, double row0Gradient, double row1Gradient)
    {
        using var scope = NewDisposeScope();
        var logProbs = Matrix(new[,] { { -0.9, -2.4, -0.05 }, { -1.6, -0.3, -7.0 } }, requiresGrad: true);
        var oldLogProbs = logProbs.detach().clone();

        var result = GrpoObjective.Compute(logProbs, oldLogProbs, null, Matrix(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } }), Vector([0.6, -0.2]),
            new GrpoOptions { Beta = 0f, Aggregation = BuiltIns.Aggregation(aggregation) });
        result.Loss.backward();

        Assert.Equal(1f, result.Stats.RatioMin);
        Assert.Equal(1f, result.Stats.RatioMax);
        Assert.Equal(0f, result.Stats.ClipFraction);
        Close(expectedLoss, result.Loss.item<float>(), 1e-6);
        AllClose([row0Gradient, row0Gradient, row0Gradient, row1Gradient, row1Gradient, 0], Values(logProbs.grad!), 1e-6);
    }
}
