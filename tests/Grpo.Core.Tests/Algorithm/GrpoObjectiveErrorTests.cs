using Grpo.Core.Algorithm;
using TorchSharp;
using static Grpo.Core.Tests.Algorithm.TestTensors;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Algorithm;

public sealed class GrpoObjectiveErrorTests
{
    static readonly double[,] Policy = { { -1.0, -2.0, -0.5 }, { -0.3, -1.2, -0.8 } };
    static readonly double[,] FullMask = { { 1, 1, 1 }, { 1, 1, 1 } };
    static readonly GrpoOptions NoKl = new() { Beta = 0f };

    static ArgumentException Refused(Func<GrpoLossResult> call) => Assert.Throws<ArgumentException>(() => call());

    [Fact]
    public void Mismatched_old_log_probs_name_both_shapes()
    {
        using var scope = NewDisposeScope();
        var error = Refused(() => GrpoObjective.Compute(Matrix(Policy), zeros(2, 4), null, Matrix(FullMask), Vector([1, -1]), NoKl));

        Assert.Equal("oldLogProbs", error.ParamName);
        Assert.Contains("[2, 4]", error.Message);
        Assert.Contains("[2, 3]", error.Message);
    }

    [Fact]
    public void Mismatched_reference_mask_and_advantages_are_refused()
    {
        using var scope = NewDisposeScope();
        var reference = Refused(() => GrpoObjective.Compute(Matrix(Policy), Matrix(Policy), zeros(3, 3), Matrix(FullMask), Vector([1, -1]), new GrpoOptions()));
        var mask = Refused(() => GrpoObjective.Compute(Matrix(Policy), Matrix(Policy), null, ones(2, 2), Vector([1, -1]), NoKl));
        var advantages = Refused(() => GrpoObjective.Compute(Matrix(Policy), Matrix(Policy), null, Matrix(FullMask), Vector([1, -1, 0]), NoKl));
        var notMatrix = Refused(() => GrpoObjective.Compute(zeros(6), zeros(6), null, ones(6), Vector([1, -1]), NoKl));

        Assert.Equal("refLogProbs", reference.ParamName);
        Assert.Contains("[3, 3]", reference.Message);
        Assert.Equal("completionMask", mask.ParamName);
        Assert.Contains("[2, 2]", mask.Message);
        Assert.Equal("advantages", advantages.ParamName);
        Assert.Contains("[3]", advantages.Message);
        Assert.Contains("[2, 3]", advantages.Message);
        Assert.Equal("logProbs", notMatrix.ParamName);
        Assert.Contains("[6]", notMatrix.Message);
    }

    [Fact]
    public void Positive_beta_without_reference_is_refused()
    {
        using var scope = NewDisposeScope();
        var error = Refused(() => GrpoObjective.Compute(Matrix(Policy), Matrix(Policy), null, Matrix(FullMask), Vector([1, -1]), new GrpoOptions { Beta = 0.04f }));

        Assert.Equal("refLogProbs", error.ParamName);
        Assert.Contains("Beta", error.Message);
    }

    [Fact]
    public void DrGrpo_needs_a_completion_budget_that_fits_the_completions()
    {
        using var scope = NewDisposeScope();
        var missing = Refused(() => GrpoObjective.Compute(Matrix(Policy), Matrix(Policy), null, Matrix(FullMask), Vector([1, -1]),
            new GrpoOptions { Beta = 0f, Aggregation = new DrGrpoAggregation() }));
        var tooSmall = Refused(() => GrpoObjective.Compute(Matrix(Policy), Matrix(Policy), null, Matrix(FullMask), Vector([1, -1]),
            new GrpoOptions { Beta = 0f, Aggregation = new DrGrpoAggregation(), MaxCompletionTokens = 2 }));

        Assert.Equal(nameof(GrpoOptions.MaxCompletionTokens), missing.ParamName);
        Assert.Contains("dr_grpo", missing.Message);
        Assert.Equal("completionMask", tooSmall.ParamName);
        Assert.Contains("3 tokens", tooSmall.Message);
    }

    [Fact]
    public void Invalid_options_are_refused_before_any_work()
    {
        using var scope = NewDisposeScope();
        var error = Refused(() => GrpoObjective.Compute(Matrix(Policy), Matrix(Policy), null, Matrix(FullMask), Vector([1, -1]), new GrpoOptions { Beta = 0f, EpsilonLow = -0.2f }));

        Assert.Equal(nameof(GrpoOptions.EpsilonLow), error.ParamName);
        Assert.Throws<ArgumentNullException>(() => GrpoObjective.Compute(Matrix(Policy), Matrix(Policy), null, Matrix(FullMask), Vector([1, -1]), null!));
    }

    [Fact]
    public void A_mask_that_is_not_zero_or_one_and_integer_log_probs_are_refused()
    {
        using var scope = NewDisposeScope();
        var weighted = Refused(() => GrpoObjective.Compute(Matrix(Policy), Matrix(Policy), null, Matrix(new[,] { { 1, 0.5, 1 }, { 1, 1, 1 } }), Vector([1, -1]), NoKl));
        var integers = Refused(() => GrpoObjective.Compute(zeros(2, 3, ScalarType.Int64), Matrix(Policy), null, Matrix(FullMask), Vector([1, -1]), NoKl));

        Assert.Equal("completionMask", weighted.ParamName);
        Assert.Equal("logProbs", integers.ParamName);
        Assert.Contains("Int64", integers.Message);
    }
}
