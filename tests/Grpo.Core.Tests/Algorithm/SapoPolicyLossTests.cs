using Grpo.Core.Algorithm;
using Grpo.Core.Registries;
using TorchSharp;
using static Grpo.Core.Tests.Algorithm.TestTensors;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Algorithm;

public sealed class SapoPolicyLossTests
{
    // 2 completions × 3 tokens with the paper's temperatures τ_pos = 1 (A > 0) and τ_neg = 1.05 (A ≤ 0); β = 0, grpo.
    // Gate f(ρ) = σ(τ(ρ-1))·4/τ, loss = -f·A; gradient ∂loss/∂logπθ = -A·w·ρ / (len · G), w = 4σ(1-σ).
    //
    //   token ρ    A     τ     σ(τ(ρ-1))    f            loss          w            gradient
    //   0,0  1.0  +1    1     0.5          2.0          -2.0          1            -1/6                  = -0.16666667
    //   0,1  1.5  +1    1     0.62245933   2.48983732   -2.48983732   0.94001485   -0.94001485·1.5/6     = -0.23500371
    //   0,2  0.5  +1    1     0.37754067   1.51016268   -1.51016268   0.94001485   -0.94001485·0.5/6     = -0.07833457
    //   1,0  1.0  -0.5  1.05  0.5          1.90476190    0.95238095   1             0.5/4                 =  0.125
    //   1,1  0.6  -0.5  1.05  0.39651675   1.51054000    0.75527000   0.95716487    0.5·0.95716487·0.6/4 =  0.07178737
    //   1,2  padding                                                               0
    //
    // Row 0 sums to exactly -6 (σ(x) + σ(-x) = 1), mean -2; row 1 mean 1.70765095 / 2 = 0.85382548.
    // grpo: (-2 + 0.85382548) / 2 = -0.57308726.
    static readonly double[,] Behaviour = { { -1.0, -0.5, -2.0 }, { -0.2, -1.5, -3.0 } };
    static readonly double[,] Ratios = { { 1.0, 1.5, 0.5 }, { 1.0, 0.6, 2.0 } };
    static readonly double[,] Mask = { { 1, 1, 1 }, { 1, 1, 0 } };

    [Fact]
    public void Default_temperatures_give_the_hand_computed_loss_and_gradient()
    {
        using var scope = NewDisposeScope();
        var logProbs = Matrix(ShiftByLogRatio(Behaviour, Ratios), requiresGrad: true);

        var result = GrpoObjective.Compute(logProbs, Matrix(Behaviour), null, Matrix(Mask), Vector([1.0, -0.5]),
            new GrpoOptions { Beta = 0f, PolicyLoss = new SapoPolicyLoss() });
        result.Loss.backward();

        Close(-0.57308726, result.Loss.item<float>());
        AllClose([-0.16666667, -0.23500371, -0.07833457, 0.125, 0.07178737, 0], Values(logProbs.grad!));
    }

    // Where the hard clip has a clear answer, the soft gate agrees with it (Gao et al. 2025): a token at ρ = 1 gets
    // the full gradient -A/(len·G) (w(1) = 4·½·½ = 1 whatever τ, thanks to the 4/τ factor), and a token beyond the
    // trust region on the pessimistic side — ρ = 1.5 with A > 0, ρ = 0.5 with A < 0, both zeroed by the clip — loses
    // its gradient as τ grows: w·ρ = 4σ(1-σ)·ρ with σ = σ(±τ/2) is 1.41002227 / 0.47000742 at τ = 1,
    // 0.03988834 / 0.01329611 at τ = 10 and 0 / 3.9e-22 at τ = 100.
    [Theory]
    [InlineData(1.0, 1.41002227, 0.47000742)]
    [InlineData(10.0, 0.03988834, 0.01329611)]
    [InlineData(100.0, 0.0, 0.0)]
    public void Gate_keeps_the_full_gradient_on_policy_and_loses_it_beyond_the_range_as_the_temperature_grows(
        double tau, double aboveWeight, double belowWeight)
    {
        using var scope = NewDisposeScope();
        // One token at ρ = 1 and one beyond the range per completion; G = 2, len = 2, so the gradient is -A·w·ρ / 4.
        double[,] behaviour = { { -1.0, -0.7 }, { -0.4, -1.3 } };
        double[,] ratios = { { 1.0, 1.5 }, { 1.0, 0.5 } };
        double[] advantages = [1.0, -1.0];
        var sapo = new SapoPolicyLoss { TauPositive = tau, TauNegative = tau };

        var gradients = new Dictionary<string, double[]>();
        foreach (var (name, loss) in new (string, IPolicyLoss)[] { ("sapo", sapo), ("clip", new ClipPolicyLoss()) })
        {
            var logProbs = Matrix(ShiftByLogRatio(behaviour, ratios), ScalarType.Float64, requiresGrad: true);
            GrpoObjective.Compute(logProbs, Matrix(behaviour, ScalarType.Float64), null, Matrix(new double[,] { { 1, 1 }, { 1, 1 } }, ScalarType.Float64),
                Vector(advantages, ScalarType.Float64), new GrpoOptions { Beta = 0f, PolicyLoss = loss }).Loss.backward();
            gradients[name] = Values(logProbs.grad!);
        }

        // On policy: identical to the clip, -A/4.
        Close(-0.25, gradients["sapo"][0], 1e-12);
        Close(0.25, gradients["sapo"][2], 1e-12);
        Assert.Equal(gradients["clip"][0], gradients["sapo"][0], 12);
        Assert.Equal(gradients["clip"][2], gradients["sapo"][2], 12);
        // Beyond the range on the pessimistic side: the clip gives 0, the gate -A·w·ρ/4, vanishing with τ.
        Assert.Equal(0.0, gradients["clip"][1]);
        Assert.Equal(0.0, gradients["clip"][3]);
        Close(-aboveWeight / 4, gradients["sapo"][1], 1e-8);
        Close(belowWeight / 4, gradients["sapo"][3], 1e-8);
    }

    [Fact]
    public void Temperatures_come_from_tau_pos_and_tau_neg()
    {
        using var scope = NewDisposeScope();
        // At ρ = 1 the gate is σ(0)·4/τ = 2/τ: with τ_pos = 4 and τ_neg = 0.5, row losses are -0.5·A and -4·A.
        // A = [1, -0.5], one token each: grpo = (-0.5 + 2) / 2 = 0.75.
        var sapo = BuiltIns.PolicyLoss("sapo", """{"tau_pos": 4, "tau_neg": 0.5}""");
        double[,] behaviour = { { -1.0 }, { -2.0 } };

        var result = GrpoObjective.Compute(Matrix(behaviour, requiresGrad: true), Matrix(behaviour), null, Matrix(new double[,] { { 1 }, { 1 } }),
            Vector([1.0, -0.5]), new GrpoOptions { Beta = 0f, PolicyLoss = sapo });

        Assert.Equal(new SapoPolicyLoss { TauPositive = 4, TauNegative = 0.5 }, sapo);
        Close(0.75, result.Loss.item<float>());
    }

    [Fact]
    public void Temperatures_that_are_not_positive_are_refused_naming_the_parameter()
    {
        Assert.Equal(nameof(SapoPolicyLoss.TauPositive), Assert.Throws<ArgumentException>(() => new SapoPolicyLoss { TauPositive = 0 }).ParamName);
        Assert.Equal(nameof(SapoPolicyLoss.TauNegative), Assert.Throws<ArgumentException>(() => new SapoPolicyLoss { TauNegative = -1.05 }).ParamName);
        var configured = Assert.Throws<ComponentException>(() => BuiltIns.PolicyLoss("sapo", """{"tau_neg": -1}"""));
        Assert.Equal("policy_loss", configured.Path);
        Assert.Contains("tau_neg must be a finite number > 0", configured.Problem);
    }

    [Fact]
    public void A_ratio_that_overflows_exp_gives_zero_gradient_not_nan()
    {
        using var scope = NewDisposeScope();
        // log ρ = 200: exp overflows even float64's range in the gradient's ρ·σ'(τ(ρ-1)) = inf · 0 without veRL's clamp at ±20.
        double[,] behaviour = { { -201.0, -1.0 } };
        double[,] policy = { { -1.0, -1.0 } };
        var logProbs = Matrix(policy, requiresGrad: true);

        var result = GrpoObjective.Compute(logProbs, Matrix(behaviour), null, Matrix(new double[,] { { 1, 1 } }), Vector([1.0]),
            new GrpoOptions { Beta = 0f, PolicyLoss = new SapoPolicyLoss() });
        result.Loss.backward();

        // Token 0: gate 4·σ(huge) = 4 → loss -4; token 1 at ρ = 1: -2. Mean -3. Gradient: 0 and -1/2.
        Close(-3.0, result.Loss.item<float>());
        AllClose([0.0, -0.5], Values(logProbs.grad!));
    }
}
