using Grpo.Cluster.Tests.Runs;
using Grpo.Grains.Resilience;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using Microsoft.Extensions.Logging;

namespace Grpo.Cluster.Tests.Rollout;

/// <summary>Weight calls that fail in transit are retried under the weight pipeline, each retry logged; others are not.</summary>
public sealed class WeightPullRetryTests
{
    const string Run = "pull-retry-run";

    [Fact]
    public async Task A_chunk_call_that_times_out_once_is_retried_logged_and_the_pull_completes()
    {
        var image = TinyPolicy.Image(seed: 1);
        var failed = 0;
        var source = new FakeWeightSource(chunkBytes: 100_000)
        {
            Tamper = (_, index, chunk) => index == 1 && Interlocked.Increment(ref failed) == 1
                ? throw new TimeoutException("learner silo busy")
                : chunk,
        };
        source.Publish(Run, 1, image);
        var chunkCount = (image.Length + 100_000 - 1) / 100_000;
        using var logs = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        await using var engine = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions(), factory.CreateLogger<RolloutEngine>());

        var output = await engine.GenerateAsync(Run, TinyPolicy.Config with { TopK = 1 }, TinyPolicy.Prompt(0), 1, CancellationToken.None);

        Assert.Equal(1, output.PolicyVersion);
        Assert.Equal(TinyPolicy.DirectGreedy(image, [TinyPolicy.Prompt(0)], TinyPolicy.Config with { TopK = 1 })[0].Tokens, output.Tokens);
        Assert.Equal(chunkCount + 1, source.ChunkCalls);
        var retry = Assert.Single(logs.Entries, entry => entry.Level == LogLevel.Warning);
        Assert.StartsWith("Weight pull call failed (attempt 1)", retry.Message);
    }

    [Fact]
    public async Task A_chunk_call_that_keeps_failing_gives_up_after_the_configured_attempts()
    {
        var calls = 0;
        var source = new FakeWeightSource(chunkBytes: 100_000)
        {
            Tamper = (_, index, chunk) => index == 0 ? throw new TimeoutException($"learner silo unreachable ({Interlocked.Increment(ref calls)})") : chunk,
        };
        source.Publish(Run, 1, TinyPolicy.Image(seed: 1));
        await using var engine = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions());

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 1, CancellationToken.None));

        Assert.Contains("learner silo unreachable", error.ToString());
        Assert.Equal(GrpoResilience.WeightCallAttempts, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task A_call_failing_for_a_reason_other_than_transit_is_not_retried()
    {
        var calls = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => GrpoResilience.WeightCalls(new RecordingLogger())
            .ExecuteAsync(_ =>
            {
                calls++;
                throw new InvalidOperationException("no such run");
            }).AsTask());

        Assert.Equal(1, calls);
    }
}
