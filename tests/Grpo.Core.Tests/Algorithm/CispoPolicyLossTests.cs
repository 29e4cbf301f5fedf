using Grpo.Core.Algorithm;
using static Grpo.Core.Tests.Algorithm.TestTensors;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Algorithm;

public sealed class CispoPolicyLossTests
{
    // 2 completions × 3 tokens, ε_low 0.2, ε_high 0.28 → weights clipped to [0.8, 1.28], β = 0, grpo aggregation.
    // Completion 0 has A = +1 and 3 tokens; completion 1 has A = -0.5, 2 tokens and a padding position.
    //
    //   token logπθ  ρ     w = clip(ρ)   loss = -w·A·logπθ            ∂loss/∂logπθ = -w·A / (len · G)
    //   0,0   -1.0   1.1   1.1           -1.1·1·(-1.0)    =  1.1      -1.1 / 6        = -0.18333333
    //   0,1   -0.5   1.5   1.28          -1.28·1·(-0.5)   =  0.64     -1.28 / 6       = -0.21333333
    //   0,2   -2.0   0.5   0.8           -0.8·1·(-2.0)    =  1.6      -0.8 / 6        = -0.13333333
    //   1,0   -0.2   0.6   0.8           -0.8·(-0.5)·(-0.2) = -0.08   0.8·0.5 / 4     =  0.1
    //   1,1   -1.5   1.4   1.28          -1.28·(-0.5)·(-1.5) = -0.96  1.28·0.5 / 4    =  0.16
    //   1,2   padding (ρ = 2)                                         0
    //
    // grpo: row means 3.34 / 3 = 1.11333333 and -1.04 / 2 = -0.52 → loss (1.11333333 - 0.52) / 2 = 0.29666667.
    // The PPO clip would give (0,1) (above the range, A > 0) and (1,0) (below it, A < 0) no gradient at all; CISPO
    // keeps it, scaled by the clipped weight.
    static readonly double[,] Policy = { { -1.0, -0.5, -2.0 }, { -0.2, -1.5, -3.0 } };
    static readonly double[,] Ratios = { { 1.1, 1.5, 0.5 }, { 0.6, 1.4, 2.0 } };
    static readonly double[,] Mask = { { 1, 1, 1 }, { 1, 1, 0 } };
    static readonly GrpoOptions Options = new() { EpsilonLow = 0.2f, EpsilonHigh = 0.28f, Beta = 0f, PolicyLoss = new CispoPolicyLoss() };

    [Fact]
    public void Loss_and_gradient_are_the_clipped_weight_times_the_reinforce_term()
    {
        using var scope = NewDisposeScope();
        var logProbs = Matrix(Policy, requiresGrad: true);

        var result = GrpoObjective.Compute(logProbs, Matrix(BehaviourFor(Policy, Ratios)), null, Matrix(Mask), Vector([1.0, -0.5]), Options);
        result.Loss.backward();

        Close(0.29666667, result.Loss.item<float>());
        AllClose([-0.18333333, -0.21333333, -0.13333333, 0.1, 0.16, 0], Values(logProbs.grad!));
    }

    [Fact]
    public void Gradient_is_minus_the_stopped_clipped_weight_times_the_advantage_over_the_length()
    {
        using var scope = NewDisposeScope();
        // Against the PPO clip on the same batch: wherever the clip keeps the gradient (-ρA / (len · G)), CISPO's
        // -clip(ρ)A / (len · G) equals it because clip(ρ) = ρ; where the clip removes it, CISPO keeps -clip(ρ)A / (len · G).
        var cispoLogProbs = Matrix(Policy, requiresGrad: true);
        var clipLogProbs = Matrix(Policy, requiresGrad: true);
        var behaviour = BehaviourFor(Policy, Ratios);

        GrpoObjective.Compute(cispoLogProbs, Matrix(behaviour), null, Matrix(Mask), Vector([1.0, -0.5]), Options).Loss.backward();
        GrpoObjective.Compute(clipLogProbs, Matrix(behaviour), null, Matrix(Mask), Vector([1.0, -0.5]), Options with { PolicyLoss = new ClipPolicyLoss() })
            .Loss.backward();
        var cispo = Values(cispoLogProbs.grad!);
        var clip = Values(clipLogProbs.grad!);

        // Inside the range or on the optimistic side (ρ = 1.1; ρ = 0.5 with A > 0; ρ = 1.4 with A < 0): the clip's
        // gradient is -ρA/(len·G) with the unclipped ρ, CISPO's uses clip(ρ) — equal at 1.1, bounded at 0.5 and 1.4.
        Close(clip[0], cispo[0]);
        Close(-0.5 / 6, clip[2]);
        Close(-0.8 / 6, cispo[2]);
        Close(1.4 * 0.5 / 4, clip[4]);
        Close(1.28 * 0.5 / 4, cispo[4]);
        // On the pessimistic side the clip removes the gradient; CISPO does not.
        Assert.Equal(0.0, clip[1]);
        Assert.Equal(0.0, clip[3]);
        Close(-1.28 / 6, cispo[1]);
        Close(0.8 * 0.5 / 4, cispo[3]);
    }

    [Fact]
    public void Clip_fractions_are_still_reported_from_the_ratio_and_the_range()
    {
        using var scope = NewDisposeScope();
        var result = GrpoObjective.Compute(Matrix(Policy, requiresGrad: true), Matrix(BehaviourFor(Policy, Ratios)), null, Matrix(Mask), Vector([1.0, -0.5]), Options);

        // (0,1): ρ 1.5 > 1.28 with A > 0; (1,0): ρ 0.6 < 0.8 with A < 0. One each of 5 unmasked tokens.
        Close(0.2, result.Stats.ClipFractionHigh);
        Close(0.2, result.Stats.ClipFractionLow);
        Close(0.5, result.Stats.RatioMin);
        Close(1.5, result.Stats.RatioMax);
    }

    /// <summary>Behaviour log-probs that put the given policy log-probs at exactly the given ratios.</summary>
    internal static double[,] BehaviourFor(double[,] policy, double[,] ratios)
    {
        var behaviour = new double[policy.GetLength(0), policy.GetLength(1)];
        for (var i = 0; i < policy.GetLength(0); i++)
            for (var t = 0; t < policy.GetLength(1); t++)
                behaviour[i, t] = policy[i, t] - Math.Log(ratios[i, t]);
        return behaviour;
    }
}
