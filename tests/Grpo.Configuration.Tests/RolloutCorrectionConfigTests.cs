using Grpo.Abstractions.Configuration;
using Grpo.Core.Algorithm;
using Grpo.Core.Training;
using Grpo.Grains.Learning;
using Grpo.Grains.Runs;
using Grpo.Grains.Runs.Components;

namespace Grpo.Configuration.Tests;

/// <summary>old_logprobs and rollout_correction: refused at their line naming the key, mapped to the learner, part of the run's identity.</summary>
public sealed class RolloutCorrectionConfigTests
{
    private static RunConfigException Fails(string json) =>
        Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse(json, "mismatch.json", RunComponentCatalog.Default));

    [Theory]
    [InlineData("""{"name": "tis", "cap": 0}""", "line 4: rollout_correction.cap: must be a finite number > 0, got 0")]
    [InlineData("""{"name": "tis", "cap": -1.5}""", "line 4: rollout_correction.cap: must be a finite number > 0, got -1.5")]
    [InlineData("""{"name": "mis", "cap": 2, "lower": 3}""", "line 4: rollout_correction.lower: must be a number in [0, cap) = [0, 2), got 3")]
    [InlineData("""{"name": "tis", "level": "seq"}""", "line 4: rollout_correction.level: must be one of token, sequence, got 'seq'")]
    [InlineData("""{"name": "tis", "cap": "big"}""", "line 4: rollout_correction.cap: expected a number (default 2), got the string \"big\"")]
    [InlineData("\"tiss\"", "line 3: rollout_correction: 'tiss' is not a registered rollout correction; did you mean 'tis'? (known: mis, none, tis)")]
    public void A_bad_rollout_correction_is_refused_at_its_line_naming_the_key(string value, string expected)
    {
        // The object's parameters go on a line of their own, so a parameter's line differs from the key's.
        var json = value.StartsWith('{')
            ? $"{{\n  \"seed\": 1,\n  \"rollout_correction\": {{\n    {value[1..^1]}\n  }}\n}}"
            : $"{{\n  \"seed\": 1,\n  \"rollout_correction\": {value}\n}}";

        var problem = Assert.Single(Fails(json).Problems);

        Assert.Equal(expected, problem);
    }

    [Fact]
    public void An_unknown_old_logprobs_source_is_refused_at_its_line()
    {
        var problem = Assert.Single(Fails("{\n  \"old_logprobs\": \"recomputed\"\n}").Problems);

        Assert.StartsWith("line 2: old_logprobs: ", problem);
        Assert.Contains("rollout, recompute", problem);
    }

    [Fact]
    public void The_keys_reach_the_learner()
    {
        var config = RunConfigLoader.Parse("""
            { "old_logprobs": "recompute", "rollout_correction": {"name": "tis", "level": "sequence", "cap": 1.5} }
            """, "x.json", RunComponentCatalog.Default);

        var learner = RunOptions.Learner(config);

        Assert.Equal(OldLogProbSource.Recompute, learner.OldLogProbs);
        Assert.Equal(new TruncatedImportanceSampling { Level = RolloutCorrectionLevel.Sequence, Cap = 1.5 }, learner.Objective.RolloutCorrection);
        Assert.Equal(OldLogProbSource.Rollout, RunOptions.Learner(new RunConfig()).OldLogProbs);
        Assert.IsType<NoRolloutCorrection>(RunOptions.Objective(new RunConfig()).RolloutCorrection);
        Assert.Equal(new MaskedImportanceSampling { Cap = 3, Lower = 0.5 }, RunOptions.Objective(new RunConfig
        {
            RolloutCorrection = new ComponentSpec("mis").WithParameter("cap", 3.0).WithParameter("lower", 0.5),
        }).RolloutCorrection);
    }

    [Fact]
    public void They_change_the_checkpoint_fingerprint()
    {
        var baseline = ConfigFingerprint.Compute(new RunConfig());

        Assert.NotEqual(baseline, ConfigFingerprint.Compute(new RunConfig { OldLogProbs = "recompute" }));
        Assert.NotEqual(baseline, ConfigFingerprint.Compute(new RunConfig { RolloutCorrection = "tis" }));
        Assert.NotEqual(
            ConfigFingerprint.Compute(new RunConfig { RolloutCorrection = new ComponentSpec("tis").WithParameter("cap", 2.0) }),
            ConfigFingerprint.Compute(new RunConfig { RolloutCorrection = new ComponentSpec("tis").WithParameter("cap", 3.0) }));
    }
}
