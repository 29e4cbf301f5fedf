using Grpo.Core.Algorithm;
using TorchSharp;
using static Grpo.Core.Tests.Algorithm.TestTensors;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Algorithm;

/// <summary>Float64 finite-difference checks of the cispo and sapo objectives, with the k3 penalty and each aggregation.</summary>
public sealed class PolicyLossGradientTests
{
    // 3 completions × 4 tokens. Range [0.8, 1.3] (ε_low 0.2, ε_high 0.3), β = 0.1 with k3.
    // Row 0 (A = +1.2): 1.05 inside, 1.6 above, 0.5 below, 0.95 inside.
    // Row 1 (A = -0.7): 0.6 below, 1.4 above, 0.9 inside, padding.
    // Row 2 (A = +0.4): 1.1 and 0.85 inside, two padding tokens.
    // Every ratio is at least 0.05 from a clip edge, far beyond the step, so CISPO's weights are locally constant.
    static readonly double[,] Behaviour = { { -1.3, -0.2, -2.1, -0.9 }, { -0.6, -1.7, -0.4, -3.0 }, { -2.2, -0.8, -1.0, -1.5 } };
    static readonly double[,] Ratios = { { 1.05, 1.6, 0.5, 0.95 }, { 0.6, 1.4, 0.9, 1.0 }, { 1.1, 0.85, 1.0, 1.0 } };
    static readonly double[,] Reference = { { -1.0, -0.5, -1.8, -1.2 }, { -0.9, -1.2, -0.7, -2.0 }, { -2.0, -1.1, -0.6, -1.0 } };
    static readonly double[,] Mask = { { 1, 1, 1, 1 }, { 1, 1, 1, 0 }, { 1, 1, 0, 0 } };
    static readonly double[] Advantages = [1.2, -0.7, 0.4];
    static readonly int[] Padding = [7, 10, 11];

    const double Step = 1e-6;

    static GrpoOptions Options(IPolicyLoss loss, string aggregation, ImportanceSampling sampling) => new()
    {
        EpsilonLow = 0.2f, EpsilonHigh = 0.3f, Beta = 0.1f, PolicyLoss = loss,
        Aggregation = BuiltIns.Aggregation(aggregation), ImportanceSampling = sampling, MaxCompletionTokens = 4,
    };

    [Theory]
    [InlineData("grpo", ImportanceSampling.Token)]
    [InlineData("bnpo", ImportanceSampling.Token)]
    [InlineData("dr_grpo", ImportanceSampling.Token)]
    [InlineData("grpo", ImportanceSampling.Sequence)]
    public void Sapo_autograd_matches_central_differences(string aggregation, ImportanceSampling sampling)
    {
        using var scope = NewDisposeScope();
        var options = Options(new SapoPolicyLoss(), aggregation, sampling);
        var policy = ShiftByLogRatio(Behaviour, Ratios);

        var analytic = Gradient(policy, Behaviour, options);
        var numeric = CentralDifferences(policy, point => LossValue(point, Behaviour, options), Step);

        AllClose(numeric, analytic, 1e-7);
        foreach (var padded in Padding)
            Assert.Equal(0.0, analytic[padded]);
    }

    // CISPO's weight is a stop-gradient constant: its gradient is the derivative of the loss with the weights held
    // where they are. Moving a token's behaviour log-prob together with its policy log-prob keeps ρ, and so the
    // weight, fixed while logπθ moves, which is exactly that derivative. A plain finite difference (behaviour held)
    // also differentiates the weight of the tokens inside the range and must disagree there.
    [Theory]
    [InlineData("grpo", ImportanceSampling.Token)]
    [InlineData("bnpo", ImportanceSampling.Token)]
    [InlineData("dr_grpo", ImportanceSampling.Token)]
    [InlineData("grpo", ImportanceSampling.Sequence)]
    public void Cispo_autograd_matches_central_differences_with_the_weights_held(string aggregation, ImportanceSampling sampling)
    {
        using var scope = NewDisposeScope();
        var options = Options(new CispoPolicyLoss(), aggregation, sampling);
        var policy = ShiftByLogRatio(Behaviour, Ratios);
        var start = (double[,])policy.Clone();

        var analytic = Gradient(policy, Behaviour, options);
        var weightsHeld = CentralDifferences(policy, point => LossValue(point, MovedWith(point, start), options), Step);
        var weightsMoving = CentralDifferences(policy, point => LossValue(point, Behaviour, options), Step);

        AllClose(weightsHeld, analytic, 1e-7);
        Assert.Contains(weightsMoving.Zip(analytic), pair => Math.Abs(pair.First - pair.Second) > 1e-3);
        foreach (var padded in Padding)
            Assert.Equal(0.0, analytic[padded]);
    }

    /// <summary>Behaviour log-probs shifted by as much as <paramref name="point"/> has moved from <paramref name="start"/>.</summary>
    static double[,] MovedWith(double[,] point, double[,] start)
    {
        var moved = (double[,])Behaviour.Clone();
        for (var i = 0; i < moved.GetLength(0); i++)
            for (var t = 0; t < moved.GetLength(1); t++)
                moved[i, t] += point[i, t] - start[i, t];
        return moved;
    }

    static double[] Gradient(double[,] policy, double[,] behaviour, GrpoOptions options)
    {
        var logProbs = Matrix(policy, ScalarType.Float64, requiresGrad: true);
        using var result = Compute(logProbs, behaviour, options);
        result.Loss.backward();
        return Values(logProbs.grad!);
    }

    static double LossValue(double[,] policy, double[,] behaviour, GrpoOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Compute(Matrix(policy, ScalarType.Float64), behaviour, options).Loss.item<double>();
    }

    static GrpoLossResult Compute(Tensor logProbs, double[,] behaviour, GrpoOptions options) =>
        GrpoObjective.Compute(logProbs, Matrix(behaviour, ScalarType.Float64), Matrix(Reference, ScalarType.Float64),
            Matrix(Mask, ScalarType.Float64), Vector(Advantages, ScalarType.Float64), options);
}
