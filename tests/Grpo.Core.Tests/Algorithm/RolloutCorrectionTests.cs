using Grpo.Core.Algorithm;
using Grpo.Core.Registries;
using static Grpo.Core.Tests.Algorithm.TestTensors;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Algorithm;

/// <summary>The rollout corrections (none, tis, mis) by hand, their place in the objective, and the mismatch statistics.</summary>
public sealed class RolloutCorrectionTests
{
    // Two completions; the second's last position is padding and holds a ratio of 10 that must change nothing.
    //
    //   token  ρ = π_learner_old / π_rollout   log ρ
    //   0,0    1.5                             0.405465
    //   0,1    3.0                             1.098612
    //   0,2    0.4                            -0.916291     row 0: product 1.8
    //   1,0    0.8                            -0.223144
    //   1,1    0.25                           -1.386294     row 1: product 0.2
    //
    // mean |log ρ| = 4.029806 / 5 = 0.8059612; k3 = ρ − 1 − log ρ per token:
    // 0.094535 + 0.901388 + 0.316291 + 0.023144 + 0.636294 = 1.971652, mean 0.3943302.
    static readonly double[,] Rollout = { { -1.0, -2.0, -0.5 }, { -0.3, -1.2, -0.8 } };
    static readonly double[,] Ratios = { { 1.5, 3.0, 0.4 }, { 0.8, 0.25, 10.0 } };
    static readonly double[,] Mask = { { 1, 1, 1 }, { 1, 1, 0 } };
    static readonly int[] Counted = [0, 1, 2, 3, 4];
    static readonly double[] Advantages = [1.0, -0.5];

    static RolloutCorrectionInputs Inputs() => new(
        Matrix(ShiftByLogRatio(Rollout, Ratios), ScalarType.Float64).masked_fill(Matrix(Mask).eq(0), 0.0),
        Matrix(Rollout, ScalarType.Float64).masked_fill(Matrix(Mask).eq(0), 0.0),
        Matrix(Mask, ScalarType.Float64));

    static double[] CountedOnly(Tensor perToken) => Counted.Select(i => Values(perToken)[i]).ToArray();

    [Theory]
    // Token TIS, C = 2: min(ρ, 2) truncates only 3.0 → 1 of 5 tokens.
    [InlineData("tis", "{}", new[] { 1.5, 2.0, 0.4, 0.8, 0.25 }, 0.2)]
    // C = 1: every ratio above 1 is truncated (1.5 and 3.0).
    [InlineData("tis", """{"cap": 1.0}""", new[] { 1.0, 1.0, 0.4, 0.8, 0.25 }, 0.4)]
    // Sequence TIS: products 1.8 and 0.2, both under C = 2.
    [InlineData("tis", """{"level": "sequence"}""", new[] { 1.8, 1.8, 1.8, 0.2, 0.2 }, 0.0)]
    // C = 1.5 truncates row 0's product 1.8 for its 3 tokens.
    [InlineData("tis", """{"level": "sequence", "cap": 1.5}""", new[] { 1.5, 1.5, 1.5, 0.2, 0.2 }, 0.6)]
    // Token MIS, band [1/2, 2]: 3.0 above, 0.4 and 0.25 below → masked; the rest keep ρ.
    [InlineData("mis", "{}", new[] { 1.5, 0.0, 0.0, 0.8, 0.0 }, 0.6)]
    // TRL's default has no lower bound: only 3.0 is masked.
    [InlineData("mis", """{"lower": 0}""", new[] { 1.5, 0.0, 0.4, 0.8, 0.25 }, 0.2)]
    // Sequence MIS, band [1/2, 2]: row 0 (1.8) kept whole, row 1 (0.2) masked whole.
    [InlineData("mis", """{"level": "sequence"}""", new[] { 1.8, 1.8, 1.8, 0.0, 0.0 }, 0.4)]
    // Band [0.1, 1.7]: row 0's 1.8 is over the cap, row 1's 0.2 inside.
    [InlineData("mis", """{"level": "sequence", "cap": 1.7, "lower": 0.1}""", new[] { 0.0, 0.0, 0.0, 0.2, 0.2 }, 0.6)]
    [InlineData("none", "{}", new[] { 1.0, 1.0, 1.0, 1.0, 1.0 }, 0.0)]
    public void Each_correction_weighs_the_hand_computed_tokens(string name, string parameters, double[] expected, double correctedFraction)
    {
        using var scope = NewDisposeScope();
        var result = BuiltIns.RolloutCorrection(name, parameters).Weights(Inputs());

        AllClose(expected, CountedOnly(result.Weight), 1e-12);
        Close(correctedFraction, CountedOnly(result.Corrected).Average(), 1e-12);
    }

    [Fact]
    public void Tis_and_mis_take_their_parameters_in_code_too()
    {
        using var scope = NewDisposeScope();
        var tis = new TruncatedImportanceSampling { Level = RolloutCorrectionLevel.Sequence, Cap = 1.5 };
        var mis = new MaskedImportanceSampling { Cap = 2.0, Lower = 0.0 };

        AllClose([1.5, 1.5, 1.5, 0.2, 0.2], CountedOnly(tis.Weights(Inputs()).Weight), 1e-12);
        AllClose([1.5, 0.0, 0.4, 0.8, 0.25], CountedOnly(mis.Weights(Inputs()).Weight), 1e-12);
        Assert.Equal(0.5, new MaskedImportanceSampling { Cap = 2.0 }.EffectiveLower);
        Assert.Throws<ArgumentException>(() => new TruncatedImportanceSampling { Cap = 0 });
        Assert.Throws<ArgumentException>(() => new MaskedImportanceSampling { Cap = double.PositiveInfinity });
        Assert.Throws<ArgumentException>(() => new MaskedImportanceSampling { Cap = 2.0, Lower = 2.0 }.Weights(Inputs()));
    }

    [Theory]
    [InlineData("tis", """{"cap": 0}""", "rollout_correction.cap", "must be a finite number > 0, got 0")]
    [InlineData("tis", """{"cap": -2}""", "rollout_correction.cap", "must be a finite number > 0, got -2")]
    [InlineData("mis", """{"cap": 2, "lower": 2}""", "rollout_correction.lower", "must be a number in [0, cap) = [0, 2), got 2")]
    [InlineData("mis", """{"lower": -0.5}""", "rollout_correction.lower", "must be a number in [0, cap) = [0, 2), got -0.5")]
    [InlineData("tis", """{"level": "tokens"}""", "rollout_correction.level", "must be one of token, sequence, got 'tokens'")]
    [InlineData("none", """{"cap": 2}""", "rollout_correction.cap", "is not a parameter of rollout correction 'none'")]
    public void A_bad_parameter_is_refused_naming_it(string name, string parameters, string path, string problem)
    {
        var error = Assert.Throws<ComponentException>(() => BuiltIns.RolloutCorrection(name, parameters));

        Assert.Equal(path, error.Path);
        Assert.StartsWith(problem, error.Problem);
    }

    // On-policy ratio 1 with the clip loss, so token t of row i costs −A_i·w_it; bnpo over the 5 tokens.
    // TIS token C = 2: row 0 −(1.5 + 2 + 0.4) = −3.9, row 1 +0.5·(0.8 + 0.25) = 0.525 → −3.375 / 5 = −0.675.
    // The β·k1 term (k1 = 1 per token against a reference one nat below, β = 0.1) is added after the weight, unweighted:
    // −0.675 + 0.1 = −0.575 (weighted it would be −0.675 + 0.1·4.95/5 = −0.576).
    [Theory]
    [InlineData(0f, -0.675)]
    [InlineData(0.1f, -0.575)]
    public void The_weight_multiplies_the_policy_gradient_loss_and_not_the_kl_penalty(float beta, double expected)
    {
        using var scope = NewDisposeScope();
        var inputs = Inputs();
        var policy = Matrix(Rollout, ScalarType.Float64, requiresGrad: true);
        var options = new GrpoOptions
        {
            Beta = beta, Kl = BuiltIns.Kl("k1"), Aggregation = BuiltIns.Aggregation("bnpo"),
            RolloutCorrection = BuiltIns.RolloutCorrection("tis"),
        };

        var result = GrpoObjective.Compute(policy, Matrix(Rollout, ScalarType.Float64), policy.detach() - 1.0, Matrix(Mask, ScalarType.Float64),
            Vector(Advantages, ScalarType.Float64), options, mismatch: new BehaviourMismatch(inputs.LearnerLogProbs, inputs.RolloutLogProbs));

        // β is a float: 0.1f is 0.1 to 1.5e-9.
        Close(expected, result.Loss.item<double>(), 1e-8);
        Close(0.2, result.Stats.RolloutCorrectedFraction, 1e-7);
    }

    [Fact]
    public void The_mismatch_statistics_are_the_hand_computed_means_over_counted_tokens()
    {
        using var scope = NewDisposeScope();
        var inputs = Inputs();
        var policy = Matrix(Rollout, ScalarType.Float64, requiresGrad: true);

        var result = GrpoObjective.Compute(policy, Matrix(Rollout, ScalarType.Float64), null, Matrix(Mask, ScalarType.Float64),
            Vector(Advantages, ScalarType.Float64), new GrpoOptions { Beta = 0f }, mismatch: new BehaviourMismatch(inputs.LearnerLogProbs, inputs.RolloutLogProbs));

        Close(0.8059612082169059, result.Stats.RolloutLogProbDelta, 1e-6);
        Close(0.3943302495063962, result.Stats.RolloutKl, 1e-6);
        Assert.Equal(0f, result.Stats.RolloutCorrectedFraction);
    }

    [Fact]
    public void None_with_the_mismatch_inputs_leaves_the_loss_and_gradient_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var inputs = Inputs();
        var plainPolicy = Matrix(ShiftByLogRatio(Rollout, Ratios), ScalarType.Float64, requiresGrad: true);
        var withPolicy = Matrix(ShiftByLogRatio(Rollout, Ratios), ScalarType.Float64, requiresGrad: true);
        var options = new GrpoOptions { Beta = 0f };

        var plain = GrpoObjective.Compute(plainPolicy, Matrix(Rollout, ScalarType.Float64), null, Matrix(Mask, ScalarType.Float64), Vector(Advantages, ScalarType.Float64), options);
        var with = GrpoObjective.Compute(withPolicy, Matrix(Rollout, ScalarType.Float64), null, Matrix(Mask, ScalarType.Float64), Vector(Advantages, ScalarType.Float64), options,
            mismatch: new BehaviourMismatch(inputs.LearnerLogProbs, inputs.RolloutLogProbs));
        plain.Loss.backward();
        with.Loss.backward();

        Assert.Equal(plain.Loss.item<double>(), with.Loss.item<double>());
        Assert.Equal(Values(plainPolicy.grad!), Values(withPolicy.grad!));
    }

    // The learner's own current log-probs are passed as π_learner_old, with their gradient (as in old_logprobs: rollout,
    // where they come from the same forward pass): if the weight were not detached, ∂(w·l) = w·∂l + l·∂w would add
    // l·w on every token under the cap. Ratios are off-policy against the rollout so the clip is active on some tokens.
    [Theory]
    [InlineData("tis", "{}")]
    [InlineData("tis", """{"level": "sequence", "cap": 5}""")]
    [InlineData("mis", """{"lower": 0}""")]
    public void The_gradient_is_the_weight_times_the_uncorrected_gradient(string name, string parameters)
    {
        using var scope = NewDisposeScope();
        var correction = BuiltIns.RolloutCorrection(name, parameters);
        var start = ShiftByLogRatio(Rollout, Ratios);
        var plainPolicy = Matrix(start, ScalarType.Float64, requiresGrad: true);
        var correctedPolicy = Matrix(start, ScalarType.Float64, requiresGrad: true);
        var rollout = Matrix(Rollout, ScalarType.Float64);
        var mask = Matrix(Mask, ScalarType.Float64);
        var advantages = Vector(Advantages, ScalarType.Float64);
        var options = new GrpoOptions { Beta = 0f };

        var plain = GrpoObjective.Compute(plainPolicy, rollout, null, mask, advantages, options);
        var corrected = GrpoObjective.Compute(correctedPolicy, rollout, null, mask, advantages, options with { RolloutCorrection = correction },
            mismatch: new BehaviourMismatch(correctedPolicy, rollout));
        plain.Loss.backward();
        corrected.Loss.backward();

        var weights = Values(correction.Weights(new RolloutCorrectionInputs(
            Matrix(start, ScalarType.Float64).masked_fill(mask.eq(0), 0.0), rollout.masked_fill(mask.eq(0), 0.0), mask)).Weight);
        var expected = Values(plainPolicy.grad!).Zip(weights, (gradient, weight) => gradient * weight).ToArray();
        Assert.Contains(Values(plainPolicy.grad!), gradient => Math.Abs(gradient) > 0.05);
        AllClose(expected, Values(correctedPolicy.grad!), 1e-12);
    }

    [Fact]
    public void A_correction_without_the_rollout_and_learner_log_probs_is_refused()
    {
        using var scope = NewDisposeScope();
        var options = new GrpoOptions { Beta = 0f, RolloutCorrection = new TruncatedImportanceSampling() };

        var error = Assert.Throws<ArgumentException>(() => GrpoObjective.Compute(
            Matrix(Rollout), Matrix(Rollout), null, Matrix(Mask), Vector(Advantages), options));

        Assert.Equal("mismatch", error.ParamName);
    }
}
