using Grpo.Grains.Resilience;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>The database pipelines: transient failures retried and each retry logged; a stale write never retried.</summary>
public sealed class DatabaseRetryTests
{
    readonly RecordingLogger logger = new();

    [Fact]
    public async Task A_write_that_fails_twice_is_retried_until_it_succeeds_and_each_retry_is_logged()
    {
        var calls = 0;

        await GrpoResilience.DatabaseCalls("Run state write", logger).ExecuteOnCallerContextAsync(_ =>
            ++calls <= 2 ? Task.FromException(new TimeoutException("database restarting")) : Task.CompletedTask);

        Assert.Equal(3, calls);
        Assert.Equal(2, logger.Entries.Count);
        Assert.All(logger.Entries, entry =>
        {
            Assert.Equal(LogLevel.Warning, entry.Level);
            Assert.Contains("Run state write call failed", entry.Message);
            // The cause, not the stack trace: a retried failure is expected.
            Assert.Contains("database restarting", entry.Message);
            Assert.Null(entry.Exception);
        });
        Assert.Contains("attempt 1", logger.Entries[0].Message);
        Assert.Contains("attempt 2", logger.Entries[1].Message);
    }

    [Fact]
    public async Task A_write_refused_because_another_activation_wrote_is_not_retried()
    {
        var calls = 0;

        await Assert.ThrowsAsync<InconsistentStateException>(() => GrpoResilience.DatabaseCalls("Run state write", logger)
            .ExecuteOnCallerContextAsync(_ =>
            {
                calls++;
                return Task.FromException(new InconsistentStateException("ETag is stale"));
            }));

        Assert.Equal(1, calls);
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public async Task A_database_that_stays_down_fails_after_the_configured_attempts()
    {
        var calls = 0;
        var pipeline = GrpoResilience.ClientConnect(e => e is TimeoutException, logger);

        await Assert.ThrowsAsync<TimeoutException>(async () => await pipeline.ExecuteAsync(_ =>
        {
            calls++;
            throw new TimeoutException("unreachable");
        }));

        Assert.Equal(GrpoResilience.ConnectAttempts, calls);
        Assert.Equal(GrpoResilience.ConnectAttempts - 1, logger.Entries.Count);
    }

    [Fact]
    public async Task A_client_connection_failure_that_is_not_transient_fails_at_once()
    {
        var calls = 0;
        var pipeline = GrpoResilience.ClientConnect(e => e is TimeoutException, logger);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(async () => await pipeline.ExecuteAsync(_ =>
        {
            calls++;
            throw new UnauthorizedAccessException("password authentication failed");
        }));

        Assert.Equal(1, calls);
        Assert.Empty(logger.Entries);
    }
}
