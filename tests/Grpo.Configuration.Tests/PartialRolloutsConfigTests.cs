using Grpo.Abstractions.Configuration;
using Grpo.Grains.Learning;
using Grpo.Grains.Runs.Components;

namespace Grpo.Configuration.Tests;

/// <summary>partial_rollouts: refused at its line without async mode, accepted with it, part of the run's identity.</summary>
public sealed class PartialRolloutsConfigTests
{
    [Fact]
    public void Partial_rollouts_in_synchronous_mode_are_refused_naming_file_line_and_key()
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse(
            "{\n  \"seed\": 1,\n  \"partial_rollouts\": true\n}", "partial.json", RunComponentCatalog.Default));

        var problem = Assert.Single(error.Problems);
        Assert.Equal("line 3: partial_rollouts: is true but max_staleness is 0; rows can only switch to a newer policy version " +
                     "mid-completion in async mode (max_staleness > 0)", problem);
        Assert.Contains("partial.json", error.Message);
    }

    [Fact]
    public void Partial_rollouts_in_async_mode_are_accepted_and_off_by_default()
    {
        var config = RunConfigLoader.Parse("""{ "max_staleness": 1, "partial_rollouts": true }""", "x.json", RunComponentCatalog.Default);

        Assert.True(config.PartialRollouts);
        Assert.False(RunConfigLoader.Parse("""{ "max_staleness": 1 }""", "x.json", RunComponentCatalog.Default).PartialRollouts);
    }

    [Fact]
    public void Partial_rollouts_change_the_checkpoint_fingerprint()
    {
        var async = new RunConfig { MaxStaleness = 1 };

        Assert.NotEqual(ConfigFingerprint.Compute(async), ConfigFingerprint.Compute(async with { PartialRollouts = true }));
    }
}
