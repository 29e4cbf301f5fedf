using Grpo.Core.Algorithm;
using TorchSharp;
using static Grpo.Core.Tests.Algorithm.TestTensors;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Algorithm;

public sealed class GrpoObjectiveTests
{
    // The shared 2×3 case. Completion 0 has 3 tokens and A = +1; completion 1 has 2 tokens and A = -0.5, and its
    // padding position holds ρ = 2.0 that must be ignored everywhere. ε = 0.2 both ways, β = 0 (no reference).
    //
    //   token ρ     A      ρA      clip(ρ)A   -min(·)
    //   0,0  1.1   +1      1.1     1.1       -1.1
    //   0,1  1.5   +1      1.5     1.2       -1.2    (upper clip active)
    //   0,2  0.7   +1      0.7     0.8       -0.7    (below range but A > 0: unclipped)
    //   1,0  0.9   -0.5   -0.45   -0.45       0.45
    //   1,1  0.5   -0.5   -0.25   -0.4        0.4    (lower clip active)
    //   1,2  2.0   masked
    //
    // Row sums: -3.0 (3 tokens) and 0.85 (2 tokens); total -2.15 over 5 tokens.
    static readonly double[,] BehaviourLogProbs = { { -1.0, -2.0, -0.5 }, { -0.3, -1.2, -0.8 } };
    static readonly double[,] Ratios = { { 1.1, 1.5, 0.7 }, { 0.9, 0.5, 2.0 } };
    static readonly double[,] Mask = { { 1, 1, 1 }, { 1, 1, 0 } };
    static readonly double[] Advantages = [1.0, -0.5];

    static GrpoLossResult ComputeShared(GrpoOptions options, bool boolMask = false)
    {
        var logProbs = Matrix(ShiftByLogRatio(BehaviourLogProbs, Ratios), requiresGrad: true);
        var mask = boolMask ? Matrix(Mask).to_type(ScalarType.Bool) : Matrix(Mask);
        return GrpoObjective.Compute(logProbs, Matrix(BehaviourLogProbs), null, mask, Vector(Advantages), options);
    }

    [Theory]
    // Grpo: mean over completions of row mean = (-3.0 / 3 + 0.85 / 2) / 2 = (-1.0 + 0.425) / 2 = -0.2875.
    [InlineData("grpo", 0, -0.2875)]
    // Bnpo and Dapo: total / tokens = -2.15 / 5 = -0.43.
    [InlineData("bnpo", 0, -0.43)]
    [InlineData("dapo", 0, -0.43)]
    // DrGrpo with a budget of 4 tokens: -2.15 / (2 × 4) = -0.26875.
    [InlineData("dr_grpo", 4, -0.26875)]
    public void Each_loss_type_aggregates_the_hand_computed_per_token_losses(string aggregation, int maxCompletionTokens, double expected)
    {
        using var scope = NewDisposeScope();
        var options = new GrpoOptions { Beta = 0f, Aggregation = BuiltIns.Aggregation(aggregation), MaxCompletionTokens = maxCompletionTokens };

        var result = ComputeShared(options);

        Assert.Equal(0, result.Loss.dim());
        Close(expected, result.Loss.item<float>());
        Close(expected, result.Stats.Loss);
    }

    [Fact]
    public void A_bool_mask_gives_the_same_loss_as_a_float_mask()
    {
        using var scope = NewDisposeScope();
        var result = ComputeShared(new GrpoOptions { Beta = 0f }, boolMask: true);

        Close(-0.2875, result.Loss.item<float>());
    }

    [Fact]
    public void Stats_report_clip_fractions_ratio_range_and_length_over_unmasked_tokens()
    {
        using var scope = NewDisposeScope();
        var stats = ComputeShared(new GrpoOptions { Beta = 0f }).Stats;

        // Low: ρ < 0.8 and A < 0 → only (1,1); high: ρ > 1.2 and A > 0 → only (0,1). (0,2) has ρ < 0.8 but A > 0,
        // the masked (1,2) has ρ = 2 but does not count. Each is 1 of 5 unmasked tokens.
        Close(0.2, stats.ClipFractionLow);
        Close(0.2, stats.ClipFractionHigh);
        Close(0.4, stats.ClipFraction);
        // Over unmasked tokens ρ ∈ {1.1, 1.5, 0.7, 0.9, 0.5}: the masked 2.0 is not the max.
        Close(0.5, stats.RatioMin);
        Close(1.5, stats.RatioMax);
        // Row lengths 3 and 2.
        Close(2.5, stats.MeanCompletionLength);
        Assert.Equal(0f, stats.MeanKl);
    }

    [Fact]
    public void Tokens_with_zero_advantage_are_never_counted_as_clipped()
    {
        using var scope = NewDisposeScope();
        // ρ = 0.5 and 1.5 lie outside [0.8, 1.2], but with A = 0 neither clip changes anything (TRL's strict A < 0 / A > 0),
        // and the surrogate -min(0, 0) is 0.
        double[,] behaviour = { { -1.0, -2.0 } };
        var logProbs = Matrix(ShiftByLogRatio(behaviour, new[,] { { 0.5, 1.5 } }), requiresGrad: true);

        var result = GrpoObjective.Compute(logProbs, Matrix(behaviour), null, Matrix(new double[,] { { 1, 1 } }), Vector([0.0]), new GrpoOptions { Beta = 0f });

        Assert.Equal(0f, result.Stats.ClipFractionLow);
        Assert.Equal(0f, result.Stats.ClipFractionHigh);
        Close(0.0, result.Loss.item<float>());
        Close(0.5, result.Stats.RatioMin);
        Close(1.5, result.Stats.RatioMax);
    }

    // One completion of 3 tokens at ρ = 1 with A = 0.5, so the surrogate is -0.5 per token and the mean is -0.5.
    // δ = logπθ - logπref = [-1 - (-1.5), -2 - (-1), -0.5 - (-0.5)] = [0.5, -1, 0].
    //   k1 = δ                    = [0.5, -1, 0]                        mean -1/6       = -0.16666667
    //   k2 = ½δ²                  = [0.125, 0.5, 0]                     mean 0.625/3    =  0.20833333
    //   k3 = exp(-δ) + δ - 1      = [0.60653066 - 0.5, e - 2, 0]
    //                             = [0.10653066, 0.71828183, 0]         mean 0.82481249/3 = 0.27493750
    // With β = 0.1 the loss is -0.5 + 0.1 × mean KL.
    [Theory]
    [InlineData("k1", -0.16666667, -0.51666667)]
    [InlineData("k2", 0.20833333, -0.47916667)]
    [InlineData("k3", 0.27493750, -0.47250625)]
    public void Each_kl_estimator_adds_beta_times_its_hand_computed_mean(string estimator, double meanKl, double expectedLoss)
    {
        using var scope = NewDisposeScope();
        double[,] policy = { { -1.0, -2.0, -0.5 } };
        var logProbs = Matrix(policy, requiresGrad: true);
        var reference = Matrix(new[,] { { -1.5, -1.0, -0.5 } });

        var result = GrpoObjective.Compute(logProbs, Matrix(policy), reference, Matrix(new double[,] { { 1, 1, 1 } }), Vector([0.5]),
            new GrpoOptions { Beta = 0.1f, Kl = BuiltIns.Kl(estimator) });

        Close(expectedLoss, result.Loss.item<float>());
        Close(meanKl, result.Stats.MeanKl);
    }

    [Fact]
    public void Beta_zero_with_a_reference_reports_kl_but_does_not_add_it()
    {
        using var scope = NewDisposeScope();
        double[,] policy = { { -1.0, -2.0, -0.5 } };

        var result = GrpoObjective.Compute(Matrix(policy, requiresGrad: true), Matrix(policy), Matrix(new[,] { { -1.5, -1.0, -0.5 } }),
            Matrix(new double[,] { { 1, 1, 1 } }), Vector([0.5]), new GrpoOptions { Beta = 0f });

        // Surrogate only: -0.5. The k3 mean from the theory above is still reported.
        Close(-0.5, result.Loss.item<float>());
        Close(0.27493750, result.Stats.MeanKl);
    }

    [Fact]
    public void Clip_higher_clips_each_side_only_where_the_advantage_makes_it_pessimistic()
    {
        using var scope = NewDisposeScope();
        // ε_low = 0.2 → range [0.8, 1.28] with ε_high = 0.28. Bnpo over 6 tokens, β = 0.
        //   token ρ     A    -min(ρA, clip(ρ)A)            d loss / d logπθ = -Aρ/6 if the unclipped branch is taken, else 0
        //   0,0  1.25  +1    -1.25  (inside: only ε_high allows it)   -1.25/6 = -0.20833333
        //   0,1  1.5   +1    -1.28  (upper clip)                       0
        //   0,2  0.5   +1    -0.5   (below, A > 0: unclipped)          -0.5/6  = -0.08333333
        //   1,0  0.75  -1     0.8   (lower clip)                       0
        //   1,1  1.5   -1     1.5   (above, A < 0: unclipped)          +1.5/6  =  0.25
        //   1,2  0.9   -1     0.9   (inside)                           +0.9/6  =  0.15
        // Loss = (-1.25 - 1.28 - 0.5 + 0.8 + 1.5 + 0.9) / 6 = 0.17 / 6 = 0.02833333.
        double[,] behaviour = { { -0.7, -1.1, -2.3 }, { -0.4, -1.9, -0.6 } };
        var logProbs = Matrix(ShiftByLogRatio(behaviour, new[,] { { 1.25, 1.5, 0.5 }, { 0.75, 1.5, 0.9 } }), requiresGrad: true);
        var options = new GrpoOptions { EpsilonLow = 0.2f, EpsilonHigh = 0.28f, Beta = 0f, Aggregation = new TokenMeanAggregation() };

        var result = GrpoObjective.Compute(logProbs, Matrix(behaviour), null, Matrix(new double[,] { { 1, 1, 1 }, { 1, 1, 1 } }), Vector([1.0, -1.0]), options);
        result.Loss.backward();

        Close(0.02833333, result.Loss.item<float>());
        AllClose([-0.20833333, 0, -0.08333333, 0, 0.25, 0.15], Values(logProbs.grad!));
        // Low: (1,0) only; high: (0,1) only ((1,1) is above but A < 0, (0,0) is inside [0.8, 1.28]).
        Close(1.0 / 6, result.Stats.ClipFractionLow);
        Close(1.0 / 6, result.Stats.ClipFractionHigh);
        Close(2.0 / 6, result.Stats.ClipFraction);
        Close(0.5, result.Stats.RatioMin);
        Close(1.5, result.Stats.RatioMax);
    }

    [Fact]
    public void Sequence_importance_sampling_uses_one_ratio_per_completion()
    {
        using var scope = NewDisposeScope();
        // Token log-ratios: row 0 [0.3, -0.1, 0.1] → mean 0.1 → ρ0 = e^0.1 = 1.10517092 (inside [0.8, 1.2]);
        // row 1 [0.2, -1.0, masked 5.0] → mean over its 2 tokens -0.4 → ρ1 = e^-0.4 = 0.67032005 (< 0.8, A = -1: clipped to 0.8).
        // Grpo: row 0 mean = -1.10517092, row 1 mean = 0.8 → loss = (-1.10517092 + 0.8) / 2 = -0.15258546.
        // Gradient: row 0 loss = -ρ0 with ρ0 = exp(mean of 3 log-ratios) → d/d logπθ_t = -ρ0/3, times 1/2 for the mean
        // over completions = -0.18419515 per token; row 1 is clipped → 0; padding → 0.
        double[,] behaviour = { { -1.0, -0.5, -2.0 }, { -0.7, -0.9, -1.5 } };
        double[,] policy = { { -0.7, -0.6, -1.9 }, { -0.5, -1.9, 3.5 } };
        var logProbs = Matrix(policy, requiresGrad: true);

        var result = GrpoObjective.Compute(logProbs, Matrix(behaviour), null, Matrix(Mask), Vector([1.0, -1.0]),
            new GrpoOptions { Beta = 0f, ImportanceSampling = ImportanceSampling.Sequence });
        result.Loss.backward();

        Close(-0.15258546, result.Loss.item<float>());
        AllClose([-0.18419515, -0.18419515, -0.18419515, 0, 0, 0], Values(logProbs.grad!));
        // Both unmasked tokens of row 1 are low-clipped: 2 of 5.
        Close(0.4, result.Stats.ClipFractionLow);
        Close(0.0, result.Stats.ClipFractionHigh);
        Close(0.67032005, result.Stats.RatioMin);
        Close(1.10517092, result.Stats.RatioMax);
    }

    [Fact]
    public void Truncated_completions_drop_out_of_the_loss_without_nan()
    {
        using var scope = NewDisposeScope();
        // ρ = 1 everywhere, β = 0, A = [1, -1]: per-token losses -1 (row 0) and +1 (row 1).
        // Without masking, Grpo = (-1 + 1) / 2 = 0. Row 1 truncated: its length is 0 (clamped to 1, sum 0),
        // so Grpo = (-1 + 0) / 2 = -0.5 and Bnpo = -2 / 2 tokens = -1.
        double[,] policy = { { -1.0, -2.0 }, { -0.5, -0.25 } };
        var mask = GrpoObjective.MaskTruncated(Matrix(new double[,] { { 1, 1 }, { 1, 1 } }), [false, true]);

        var grpo = GrpoObjective.Compute(Matrix(policy, requiresGrad: true), Matrix(policy), null, mask, Vector([1.0, -1.0]), new GrpoOptions { Beta = 0f });
        var bnpo = GrpoObjective.Compute(Matrix(policy, requiresGrad: true), Matrix(policy), null, mask, Vector([1.0, -1.0]),
            new GrpoOptions { Beta = 0f, Aggregation = new TokenMeanAggregation() });

        Close(-0.5, grpo.Loss.item<float>());
        Close(-1.0, bnpo.Loss.item<float>());
        Close(1.0, grpo.Stats.MeanCompletionLength);
    }

    [Fact]
    public void A_batch_without_any_unmasked_token_gives_zero_loss_and_nan_ratio_range()
    {
        using var scope = NewDisposeScope();
        double[,] policy = { { -1.0, -2.0 } };
        var logProbs = Matrix(policy, requiresGrad: true);

        var result = GrpoObjective.Compute(logProbs, Matrix(policy), null, Matrix(new double[,] { { 0, 0 } }), Vector([1.0]), new GrpoOptions { Beta = 0f });
        result.Loss.backward();

        Assert.Equal(0f, result.Loss.item<float>());
        Assert.Equal([0.0, 0.0], Values(logProbs.grad!));
        Assert.True(float.IsNaN(result.Stats.RatioMin) && float.IsNaN(result.Stats.RatioMax));
        Assert.Equal(0f, result.Stats.ClipFraction);
    }

    [Fact]
    public void Garbage_in_padding_positions_does_not_reach_loss_or_gradient()
    {
        using var scope = NewDisposeScope();
        // Padding log-probs are often -inf or NaN; 0 · NaN would poison a plain masked product.
        double[,] policy = { { -1.0, double.NaN }, { -0.5, double.NegativeInfinity } };
        double[,] behaviour = { { -1.0, double.NegativeInfinity }, { -0.5, double.NaN } };
        var logProbs = Matrix(policy, requiresGrad: true);

        var result = GrpoObjective.Compute(logProbs, Matrix(behaviour), Matrix(behaviour), Matrix(new double[,] { { 1, 0 }, { 1, 0 } }), Vector([1.0, -1.0]),
            new GrpoOptions { Beta = 0.04f });
        result.Loss.backward();

        // ρ = 1 and KL = 0 on the two real tokens: Grpo = (-1 + 1) / 2 = 0; gradient -A/(2·1) = [-0.5, +0.5] on them.
        Close(0.0, result.Loss.item<float>());
        AllClose([-0.5, 0, 0.5, 0], Values(logProbs.grad!));
        Assert.Equal(1f, result.Stats.RatioMax);
    }

    [Fact]
    public void Only_the_loss_survives_the_call()
    {
        using var outer = NewDisposeScope();
        var logProbs = Matrix(ShiftByLogRatio(BehaviourLogProbs, Ratios), requiresGrad: true);
        var inputs = new[] { Matrix(BehaviourLogProbs), Matrix(BehaviourLogProbs), Matrix(Mask), Vector(Advantages) };
        var before = outer.DisposablesCount;

        var result = GrpoObjective.Compute(logProbs, inputs[0], inputs[1], inputs[2], inputs[3], new GrpoOptions());

        Assert.Equal(before + 1, outer.DisposablesCount);
        Assert.False(result.Loss.IsInvalid);
        using var masked = GrpoObjective.MaskTruncated(inputs[2], [true, false]);
        Assert.Equal(before + 2, outer.DisposablesCount);
    }
}
