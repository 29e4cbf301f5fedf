using Grpo.Core.Algorithm;
using Grpo.Core.Registries;
using static Grpo.Core.Tests.Algorithm.BuiltIns;

namespace Grpo.Core.Tests.Algorithm;

public sealed class AlgorithmRegistryTests
{
    [Fact]
    public void Every_built_in_is_registered_under_its_name_and_kind()
    {
        var listing = DefaultRegistries.Listing();

        Assert.Equal(["cispo", "clip", "sapo"], listing["policy loss"].Order());
        Assert.Equal(["bnpo", "dapo", "dr_grpo", "grpo"], listing["loss aggregation"].Order());
        Assert.Equal(["grpo", "reinforce_pp_baseline", "rloo"], listing["advantage estimator"].Order());
        Assert.Equal(["k1", "k2", "k3", "low_var_kl"], listing["KL estimator"].Order());
        Assert.Equal(["mis", "none", "tis"], listing["rollout correction"].Order());

        Assert.Equal(typeof(ClipPolicyLoss), DefaultRegistries.PolicyLosses.ImplementationOf("clip"));
        Assert.Equal(typeof(CispoPolicyLoss), DefaultRegistries.PolicyLosses.ImplementationOf("cispo"));
        Assert.Equal(typeof(SapoPolicyLoss), DefaultRegistries.PolicyLosses.ImplementationOf("sapo"));
        Assert.Equal(typeof(GrpoAggregation), DefaultRegistries.LossAggregations.ImplementationOf("grpo"));
        Assert.Equal(typeof(TokenMeanAggregation), DefaultRegistries.LossAggregations.ImplementationOf("bnpo"));
        Assert.Equal(typeof(TokenMeanAggregation), DefaultRegistries.LossAggregations.ImplementationOf("dapo"));
        Assert.Equal(typeof(DrGrpoAggregation), DefaultRegistries.LossAggregations.ImplementationOf("dr_grpo"));
        Assert.Equal(typeof(GrpoAdvantageEstimator), DefaultRegistries.AdvantageEstimators.ImplementationOf("grpo"));
        Assert.Equal(typeof(RlooAdvantageEstimator), DefaultRegistries.AdvantageEstimators.ImplementationOf("rloo"));
        Assert.Equal(typeof(ReinforcePlusPlusBaselineAdvantageEstimator), DefaultRegistries.AdvantageEstimators.ImplementationOf("reinforce_pp_baseline"));
        Assert.Equal(typeof(K1KlEstimator), DefaultRegistries.KlEstimators.ImplementationOf("k1"));
        Assert.Equal(typeof(K2KlEstimator), DefaultRegistries.KlEstimators.ImplementationOf("k2"));
        Assert.Equal(typeof(K3KlEstimator), DefaultRegistries.KlEstimators.ImplementationOf("k3"));
        Assert.Equal(typeof(LowVarKlEstimator), DefaultRegistries.KlEstimators.ImplementationOf("low_var_kl"));
        Assert.Equal(typeof(NoRolloutCorrection), DefaultRegistries.RolloutCorrections.ImplementationOf("none"));
        Assert.Equal(typeof(TruncatedImportanceSampling), DefaultRegistries.RolloutCorrections.ImplementationOf("tis"));
        Assert.Equal(typeof(MaskedImportanceSampling), DefaultRegistries.RolloutCorrections.ImplementationOf("mis"));
        // Model families are keyed by the Hugging Face architecture names; every other name is snake_case.
        Assert.All(listing.Where(kind => kind.Key != DefaultRegistries.ModelFamilies.Kind).SelectMany(kind => kind.Value), name => Assert.Matches("^[a-z0-9_]+$", name));
    }

    [Fact]
    public void An_unknown_policy_loss_is_refused_listing_the_registered_names()
    {
        var error = Assert.Throws<ComponentException>(() => PolicyLoss("clipp"));

        Assert.Equal("policy_loss", error.Path);
        Assert.Equal("'clipp' is not a registered policy loss; did you mean 'clip'? (known: cispo, clip, sapo)", error.Problem);
    }

    [Fact]
    public void An_unknown_aggregation_advantage_estimator_or_kl_estimator_is_refused_with_its_kind()
    {
        Assert.StartsWith("'drgrpo' is not a registered loss aggregation; did you mean 'dr_grpo'?", Assert.Throws<ComponentException>(() => Aggregation("drgrpo")).Problem);
        Assert.StartsWith("'ppo' is not a registered advantage estimator;", Assert.Throws<ComponentException>(() => Advantages("ppo")).Problem);
        Assert.StartsWith("'k4' is not a registered KL estimator; did you mean", Assert.Throws<ComponentException>(() => Kl("k4")).Problem);
    }

    [Fact]
    public void Parameters_are_read_by_the_component_and_unknown_ones_refused()
    {
        Assert.Equal(new SapoPolicyLoss { TauPositive = 2, TauNegative = 3 }, PolicyLoss("sapo", """{"tau_pos": 2, "tau_neg": 3}"""));
        Assert.Equal(new SapoPolicyLoss(), PolicyLoss("sapo"));
        Assert.Equal(1.0, new SapoPolicyLoss().TauPositive);
        Assert.Equal(1.05, new SapoPolicyLoss().TauNegative);
        Assert.Equal(new GrpoAdvantageEstimator { Scale = "batch", Eps = 1e-3f }, Advantages("grpo", """{"scale": "batch", "eps": 1e-3}"""));
        Assert.Equal("group", new GrpoAdvantageEstimator().Scale);
        Assert.Equal(1e-4f, new GrpoAdvantageEstimator().Eps);

        var misspelt = Assert.Throws<ComponentException>(() => PolicyLoss("sapo", """{"tau_ps": 2}"""));
        Assert.Equal("policy_loss.tau_ps", misspelt.Path);
        Assert.Equal("is not a parameter of policy loss 'sapo'; did you mean 'tau_pos'? (it takes tau_neg, tau_pos)", misspelt.Problem);
        var none = Assert.Throws<ComponentException>(() => PolicyLoss("clip", """{"epsilon": 0.2}"""));
        Assert.Equal("is not a parameter of policy loss 'clip'; (it takes no parameters)", none.Problem);
        var scale = Assert.Throws<ComponentException>(() => Advantages("grpo", """{"scale": "sideways"}"""));
        Assert.Equal("advantage_estimator.scale", scale.Path);
        Assert.Contains("must be one of group, batch, none", scale.Problem);
    }

    [Fact]
    public void Options_built_from_the_registries_hold_the_named_components_and_keep_the_defaults_for_the_rest()
    {
        var defaults = GrpoOptions.FromRegistries(DefaultRegistries);
        var chosen = GrpoOptions.FromRegistries(DefaultRegistries,
            policyLoss: ("sapo", Arguments("policy_loss", """{"tau_neg": 2}""")),
            aggregation: ("dr_grpo", Arguments("loss_type")),
            kl: ("low_var_kl", Arguments("kl_estimator"))) with { MaxCompletionTokens = 64, Beta = 0.01f };
        var onlyKl = GrpoOptions.FromRegistries(DefaultRegistries, kl: ("k1", Arguments("kl_estimator")));

        Assert.Equal(new GrpoOptions(), defaults);
        Assert.Equal(new SapoPolicyLoss { TauNegative = 2 }, chosen.PolicyLoss);
        Assert.IsType<DrGrpoAggregation>(chosen.Aggregation);
        Assert.IsType<LowVarKlEstimator>(chosen.Kl);
        Assert.Equal(0.01f, chosen.Beta);
        chosen.Validate();
        Assert.Equal(new GrpoOptions { Kl = new K1KlEstimator() }, onlyKl);

        var unknown = Assert.Throws<ComponentException>(() => GrpoOptions.FromRegistries(DefaultRegistries, aggregation: ("token_mean", Arguments("loss_type"))));
        Assert.Equal("loss_type", unknown.Path);
        Assert.Contains("known: ", unknown.Problem);
    }
}
