using Grpo.Core.Algorithm;
using TorchSharp;
using static Grpo.Core.Tests.Algorithm.TestTensors;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Algorithm;

public sealed class LowVarKlEstimatorTests
{
    // One completion of 3 tokens at ρ = 1 with A = 0.5 (surrogate -0.5 per token), β = 0.1, grpo aggregation.
    // x = logπref - logπθ, k3 = exp(x) - x - 1, low_var_kl = clamp(k3, -10, 10) (after clamping x to ±20):
    //   token logπθ  logπref  x      k3                                low_var_kl   ∂kl/∂logπθ = 1 - exp(x) inside, else 0
    //   0     -1.0   -1.5     -0.5   0.60653066 + 0.5 - 1 = 0.10653066  0.10653066   1 - 0.60653066 = 0.39346934
    //   1     -2.0   1.0       3.0   20.08553692 - 4      = 16.08553692 10           0 (clamped)
    //   2     -0.5   -12.5    -12.0  0.00000614 + 11      = 11.00000614 10           0 (clamped)
    // mean KL = 20.10653066 / 3 = 6.70217689; loss = -0.5 + 0.1 · 6.70217689 = 0.17021769.
    // Gradient per token: -A/3 + β/3 · ∂kl/∂logπθ → token 0: -0.16666667 + 0.01311564 = -0.15355102; tokens 1, 2: -0.16666667.
    static readonly double[,] Policy = { { -1.0, -2.0, -0.5 } };
    static readonly double[,] Reference = { { -1.5, 1.0, -12.5 } };

    [Fact]
    public void Tokens_far_from_the_reference_add_a_bounded_penalty_without_gradient()
    {
        using var scope = NewDisposeScope();
        var logProbs = Matrix(Policy, requiresGrad: true);

        var result = GrpoObjective.Compute(logProbs, Matrix(Policy), Matrix(Reference), Matrix(new double[,] { { 1, 1, 1 } }), Vector([0.5]),
            new GrpoOptions { Beta = 0.1f, Kl = new LowVarKlEstimator() });
        result.Loss.backward();

        Close(6.70217689, result.Stats.MeanKl);
        Close(0.17021769, result.Loss.item<float>());
        AllClose([-0.15355102, -0.16666667, -0.16666667], Values(logProbs.grad!));
    }

    [Fact]
    public void Inside_the_bounds_it_is_k3()
    {
        using var scope = NewDisposeScope();
        double[,] policy = { { -1.0, -2.0, -0.5 }, { -0.3, -0.9, -1.4 } };
        double[,] reference = { { -1.5, -1.0, -0.5 }, { -0.1, -2.0, 0.2 } };

        var lowVariance = Values(new LowVarKlEstimator().Estimate(Matrix(policy, ScalarType.Float64), Matrix(reference, ScalarType.Float64)));
        var k3 = Values(new K3KlEstimator().Estimate(Matrix(policy, ScalarType.Float64), Matrix(reference, ScalarType.Float64)));

        AllClose(k3, lowVariance, 1e-12);
    }

    [Fact]
    public void A_log_ratio_that_overflows_exp_stays_finite_in_value_and_gradient()
    {
        using var scope = NewDisposeScope();
        // x = 100: exp(100) is inf in float32; k3 would be inf and its gradient NaN. The ±20 clamp keeps it finite:
        // kl = 10 (clamped) with no gradient, so the loss is -0.5 + 0.1·10 = 0.5 and the gradient the surrogate's -0.5.
        double[,] policy = { { -101.0 } };
        var logProbs = Matrix(policy, requiresGrad: true);

        var result = GrpoObjective.Compute(logProbs, Matrix(policy), Matrix(new[,] { { -1.0 } }), Matrix(new double[,] { { 1 } }), Vector([0.5]),
            new GrpoOptions { Beta = 0.1f, Kl = new LowVarKlEstimator() });
        result.Loss.backward();

        Close(0.5, result.Loss.item<float>());
        Assert.Equal([-0.5], Values(logProbs.grad!));
    }

    [Fact]
    public void Autograd_matches_central_differences_in_float64()
    {
        using var scope = NewDisposeScope();
        // x = logπref - logπθ per token: -0.5, 0.3, 3.5 (clamped), -15 (clamped), 1.2, -2.0; every x is at least 0.5 from
        // the clamp edges (≈ 2.61 and ≈ -11.0) and from ±20, far beyond the step. ρ = 1 and A = [0.4, -0.3]; β = 0.2.
        double[,] policy = { { -1.0, -0.8, -2.5 }, { -0.2, -1.7, -0.6 } };
        double[,] reference = { { -1.5, -0.5, 1.0 }, { -15.2, -0.5, -2.6 } };
        var options = new GrpoOptions { Beta = 0.2f, Kl = new LowVarKlEstimator() };
        var mask = new double[,] { { 1, 1, 1 }, { 1, 1, 1 } };
        var behaviour = (double[,])policy.Clone();

        double LossAt(double[,] point)
        {
            using var inner = NewDisposeScope();
            using var noGrad = no_grad();
            return GrpoObjective.Compute(Matrix(point, ScalarType.Float64), Matrix(behaviour, ScalarType.Float64), Matrix(reference, ScalarType.Float64),
                Matrix(mask, ScalarType.Float64), Vector([0.4, -0.3], ScalarType.Float64), options).Loss.item<double>();
        }

        var logProbs = Matrix(policy, ScalarType.Float64, requiresGrad: true);
        GrpoObjective.Compute(logProbs, Matrix(behaviour, ScalarType.Float64), Matrix(reference, ScalarType.Float64),
            Matrix(mask, ScalarType.Float64), Vector([0.4, -0.3], ScalarType.Float64), options).Loss.backward();
        var analytic = Values(logProbs.grad!);

        AllClose(CentralDifferences(policy, LossAt, 1e-6), analytic, 1e-7);
        // The clamped tokens carry only the surrogate's gradient, -A/(len·G) = -0.4/6 and 0.3/6.
        Close(-0.4 / 6, analytic[2], 1e-12);
        Close(0.3 / 6, analytic[3], 1e-12);
    }
}
