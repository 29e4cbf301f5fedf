using Grpo.Grains.Resilience;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// A run's writes while the database is unreachable: waited out however long the outage lasts, logged when it starts,
/// once per report period while it lasts and when it ends (never once per retry, never with a stack trace); other
/// failures keep their bounded retries.
/// </summary>
public sealed class DatabaseOutageTests
{
    static readonly TimeSpan BetweenAttempts = TimeSpan.FromSeconds(10);

    // Retries follow each other at once: the test's clock, not the real one, says how long the outage lasted.
    static readonly DatabaseWaitOptions Immediate = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(1));

    readonly RecordingLogger logger = new();
    readonly ManualClock clock = new();

    static Exception Unreachable() =>
        new OrleansException("Error from storage provider AdoNetGrainStorage.grpo-runs during WriteStateAsync", new UnreachableDatabaseException("Failed to connect to 127.0.0.1:5433"));

    [Fact]
    public async Task A_write_is_retried_through_an_outage_far_longer_than_any_retry_budget_and_lands_when_the_database_returns()
    {
        var outage = new DatabaseOutage("Run r1", Immediate, logger, clock);
        var failures = GrpoResilience.DatabaseAttempts * 100;
        var calls = 0;
        DateTimeOffset? firstFailure = null, lastFailure = null;

        await outage.WriteAsync("the run state write", () =>
        {
            clock.Advance(BetweenAttempts);
            if (++calls > failures) return Task.CompletedTask;
            firstFailure ??= clock.Now;
            lastFailure = clock.Now;
            return Task.FromException(Unreachable());
        }, CancellationToken.None);

        Assert.Equal(failures + 1, calls);
        Assert.Null(outage.WaitingSince);
        var lines = logger.Entries.Select(entry => entry.Message).ToArray();
        Assert.StartsWith("Run r1: waiting for the database, which cannot be reached (Failed to connect to 127.0.0.1:5433)", lines[0]);
        var repeats = (int)((lastFailure!.Value - firstFailure!.Value) / Immediate.ReportEvery);
        Assert.Equal(repeats, lines.Count(line => line.StartsWith("Run r1: still waiting for the database after ", StringComparison.Ordinal)));
        Assert.StartsWith("Run r1: the database answers again after ", lines[^1]);
        Assert.Equal(repeats + 2, lines.Length);
        Assert.All(logger.Entries, entry =>
        {
            Assert.Equal(LogLevel.Warning, entry.Level);
            Assert.Null(entry.Exception);
        });
    }

    [Fact]
    public async Task While_the_write_waits_the_outage_says_since_when()
    {
        var outage = new DatabaseOutage("Run r1", Immediate, logger, clock);
        DateTimeOffset? seenWhileWaiting = null;
        var calls = 0;

        await outage.WriteAsync("the run state write", () =>
        {
            clock.Advance(BetweenAttempts);
            if (++calls == 3) seenWhileWaiting = outage.WaitingSince;
            return calls < 4 ? Task.FromException(Unreachable()) : Task.CompletedTask;
        }, CancellationToken.None);

        // The first failure (on the first call) started the wait.
        Assert.Equal(clock.Now - 3 * BetweenAttempts, seenWhileWaiting);
    }

    [Fact]
    public async Task A_wait_ends_with_a_cancellation_when_its_grain_goes_away()
    {
        var outage = new DatabaseOutage("Run r1", Immediate, logger, clock);
        using var goingAway = new CancellationTokenSource();
        var calls = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => outage.WriteAsync("the run state write", () =>
        {
            if (++calls == 5) goingAway.Cancel();
            return Task.FromException(Unreachable());
        }, goingAway.Token));

        Assert.Equal(5, calls);
    }

    [Fact]
    public async Task A_write_failing_for_another_reason_fails_after_the_bounded_attempts_each_logged_with_its_cause_only()
    {
        var outage = new DatabaseOutage("Run r1", Immediate, logger, clock);
        var calls = 0;

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => outage.WriteAsync("the run state write", () =>
        {
            calls++;
            return Task.FromException(new TimeoutException("the storage did not answer"));
        }, CancellationToken.None));

        Assert.Equal("the storage did not answer", thrown.Message);
        Assert.Equal(GrpoResilience.DatabaseAttempts, calls);
        Assert.Equal(GrpoResilience.DatabaseAttempts - 1, logger.Entries.Count);
        Assert.All(logger.Entries, entry =>
        {
            Assert.Contains("the run state write failed", entry.Message);
            Assert.Contains("the storage did not answer", entry.Message);
            Assert.Null(entry.Exception);
        });
        Assert.Null(outage.WaitingSince);
    }

    [Fact]
    public async Task A_write_refused_because_another_activation_wrote_first_is_not_retried()
    {
        var outage = new DatabaseOutage("Run r1", Immediate, logger, clock);
        var calls = 0;

        await Assert.ThrowsAsync<InconsistentStateException>(() => outage.WriteAsync("the run state write", () =>
        {
            calls++;
            return Task.FromException(new InconsistentStateException("ETag is stale"));
        }, CancellationToken.None));

        Assert.Equal(1, calls);
        Assert.Empty(logger.Entries);
    }
}
