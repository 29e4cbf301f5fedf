using System.Text.Json;
using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Client.Output;

namespace Grpo.Cluster.Tests.Client;

public sealed class RunOutputWriterTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Metrics_are_written_as_one_camel_case_json_object_per_line()
    {
        var writer = new RunOutputWriter(Path.Combine(folder.Path, "nested", "run"));
        var steps = FakeSteps.Rising(3);

        writer.WriteMetrics(steps[..2]);
        writer.WriteMetrics([]);
        writer.WriteMetrics(steps[2..]);

        var lines = File.ReadAllLines(writer.MetricsPath);
        Assert.Equal(3, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            var root = line.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            Assert.Equal(i + 1, root.GetProperty("step").GetInt64());
            Assert.Equal(steps[i].MeanReward, root.GetProperty("meanReward").GetSingle());
            Assert.Equal(steps[i].TokensPerSecond, root.GetProperty("tokensPerSecond").GetDouble());
            Assert.False(root.TryGetProperty("MeanReward", out _));
        }

        using (var second = JsonDocument.Parse(lines[1]))
        {
            Assert.Equal(0.3, second.RootElement.GetProperty("heldOutAccuracy").GetDouble(), 12);
        }

        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(JsonValueKind.Null, first.RootElement.GetProperty("heldOutAccuracy").ValueKind);
        var readBack = JsonSerializer.Deserialize<StepMetrics>(lines[0], ClientJson.Line)!;
        Assert.Equal(steps[0].CompletionsBySilo, readBack.CompletionsBySilo);
        Assert.Equal(steps[0], readBack with { CompletionsBySilo = steps[0].CompletionsBySilo });
    }

    [Fact]
    public void Each_reward_component_is_a_key_of_its_own_named_after_it()
    {
        var writer = new RunOutputWriter(folder.Path);
        writer.WriteMetrics([new StepMetrics
        {
            Step = 4, MeanReward = 0.8f, RewardComponents = new Dictionary<string, double> { ["exact_match"] = 0.5, ["format"] = 0.75 },
        }]);

        using var line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(writer.MetricsPath)));
        var root = line.RootElement;
        Assert.Equal(0.5, root.GetProperty("reward/exact_match").GetDouble());
        Assert.Equal(0.75, root.GetProperty("reward/format").GetDouble());
        Assert.Equal(0.8f, root.GetProperty("meanReward").GetSingle());
        Assert.False(root.TryGetProperty("rewardComponents", out _));
    }

    [Fact]
    public void A_diverged_step_with_nan_still_gives_a_valid_line()
    {
        var writer = new RunOutputWriter(folder.Path);
        writer.WriteMetrics([new StepMetrics { Step = 1, Loss = float.NaN, GradNorm = float.PositiveInfinity }]);

        using var line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(writer.MetricsPath)));
        Assert.Equal("NaN", line.RootElement.GetProperty("loss").GetString());
        Assert.Equal("Infinity", line.RootElement.GetProperty("gradNorm").GetString());
    }

    [Fact]
    public void The_summary_has_every_required_key()
    {
        var writer = new RunOutputWriter(folder.Path);
        var status = new RunStatus
        {
            RunId = "demo-1", State = RunState.Completed, Step = 40, TotalSteps = 40, PolicyVersion = 40,
            BaselineAccuracy = 0.12, FinalAccuracy = 0.87, Phase = "done",
        };

        writer.WriteSummary(RunSummary.From(status, TimeSpan.FromSeconds(93.25)));

        using var summary = JsonDocument.Parse(File.ReadAllText(writer.SummaryPath));
        var root = summary.RootElement;
        Assert.Equal("demo-1", root.GetProperty("runId").GetString());
        Assert.Equal(0.12, root.GetProperty("baselineAccuracy").GetDouble());
        Assert.Equal(0.87, root.GetProperty("finalAccuracy").GetDouble());
        Assert.Equal(40, root.GetProperty("steps").GetInt64());
        Assert.Equal(40, root.GetProperty("policyVersion").GetInt64());
        Assert.Equal(93.25, root.GetProperty("wallSeconds").GetDouble());
        Assert.Equal("Completed", root.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
        Assert.False(File.Exists(writer.SummaryPath + ".tmp"));
    }

    [Fact]
    public void The_config_file_reads_back_as_the_same_configuration()
    {
        var writer = new RunOutputWriter(folder.Path);
        var config = new RunConfig { Seed = 42, Steps = 7, StopStrings = ["\n"], EpsilonHigh = 0.28f };

        writer.WriteConfig(config);

        Assert.Equal(config, RunConfigLoader.Load(writer.ConfigPath));
    }
}
