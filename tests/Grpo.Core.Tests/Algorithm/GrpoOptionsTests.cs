using Grpo.Core.Algorithm;

namespace Grpo.Core.Tests.Algorithm;

public sealed class GrpoOptionsTests
{
    [Fact]
    public void Defaults_match_the_design()
    {
        var options = new GrpoOptions();

        Assert.Equal(0.2f, options.EpsilonLow);
        Assert.Null(options.EpsilonHigh);
        Assert.Equal(0.2f, options.EffectiveEpsilonHigh);
        Assert.Equal(0.04f, options.Beta);
        Assert.IsType<ClipPolicyLoss>(options.PolicyLoss);
        Assert.IsType<K3KlEstimator>(options.Kl);
        Assert.IsType<GrpoAggregation>(options.Aggregation);
        Assert.Equal(ImportanceSampling.Token, options.ImportanceSampling);
        Assert.Equal(0, options.MaxCompletionTokens);
        options.Validate();
    }

    [Fact]
    public void Epsilon_high_overrides_the_upper_width_only()
    {
        var options = new GrpoOptions { EpsilonHigh = 0.28f };

        Assert.Equal(0.28f, options.EffectiveEpsilonHigh);
        Assert.Equal(0.2f, options.EpsilonLow);
    }

    public static TheoryData<GrpoOptions, string> Nonsense => new()
    {
        { new GrpoOptions { EpsilonLow = -0.1f }, nameof(GrpoOptions.EpsilonLow) },
        { new GrpoOptions { EpsilonLow = 1.5f }, nameof(GrpoOptions.EpsilonLow) },
        { new GrpoOptions { EpsilonLow = float.NaN }, nameof(GrpoOptions.EpsilonLow) },
        { new GrpoOptions { EpsilonHigh = -0.2f }, nameof(GrpoOptions.EpsilonHigh) },
        { new GrpoOptions { EpsilonHigh = float.PositiveInfinity }, nameof(GrpoOptions.EpsilonHigh) },
        { new GrpoOptions { Beta = -0.04f }, nameof(GrpoOptions.Beta) },
        { new GrpoOptions { Beta = float.NaN }, nameof(GrpoOptions.Beta) },
        { new GrpoOptions { PolicyLoss = null! }, nameof(GrpoOptions.PolicyLoss) },
        { new GrpoOptions { Kl = null! }, nameof(GrpoOptions.Kl) },
        { new GrpoOptions { Aggregation = null! }, nameof(GrpoOptions.Aggregation) },
        { new GrpoOptions { ImportanceSampling = (ImportanceSampling)9 }, nameof(GrpoOptions.ImportanceSampling) },
        { new GrpoOptions { MaxCompletionTokens = -1 }, nameof(GrpoOptions.MaxCompletionTokens) },
        { new GrpoOptions { Aggregation = new DrGrpoAggregation() }, nameof(GrpoOptions.MaxCompletionTokens) },
    };

    [Theory]
    [MemberData(nameof(Nonsense))]
    public void Validate_refuses_nonsense_naming_the_field(GrpoOptions options, string field)
    {
        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(field, error.ParamName);
        Assert.Contains("GrpoOptions." + field, error.Message);
    }

    [Fact]
    public void DrGrpo_with_a_budget_is_valid()
    {
        new GrpoOptions { Aggregation = new DrGrpoAggregation(), MaxCompletionTokens = 256 }.Validate();
    }
}
