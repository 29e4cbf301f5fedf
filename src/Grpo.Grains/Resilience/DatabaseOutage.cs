using Microsoft.Extensions.Logging;
using Orleans.Storage;
using Polly;
using Polly.Retry;

namespace Grpo.Grains.Resilience;

/// <summary>
/// One grain's writes while the database may be unreachable. A write that fails because of the database is retried,
/// with capped backoff, for as long as the outage lasts: a run waits out one minute and one hour alike instead of
/// spending a retry budget and failing. The wait is logged when it starts, then once every
/// <see cref="DatabaseWaitOptions.ReportEvery"/> (not once per retry), and its end is logged too. Any other failure of
/// a write keeps the bounded retries of <see cref="GrpoResilience.DatabaseCalls"/>; a write refused because another
/// activation wrote first is never retried.
/// </summary>
/// <param name="owner">Names the waiting grain in log lines, e.g. "Run r1".</param>
public sealed class DatabaseOutage(string owner, DatabaseWaitOptions options, ILogger logger, TimeProvider? clock = null)
{
    readonly TimeProvider time = clock ?? TimeProvider.System;
    DateTimeOffset? since;
    DateTimeOffset lastReport;

    /// <summary>Since when the database has not answered; null while it does.</summary>
    public DateTimeOffset? WaitingSince => since;

    /// <summary>
    /// Runs <paramref name="write"/> until it succeeds, waiting out any database outage. Ends early only when
    /// <paramref name="cancellation"/> is cancelled (the grain is going away) or the write fails for another reason.
    /// </summary>
    public async Task WriteAsync(string what, Func<Task> write, CancellationToken cancellation)
    {
        await Pipeline(what).ExecuteOnCallerContextAsync(_ => write(), cancellation);
        if (since is { } start)
        {
            logger.LogWarning("{Owner}: the database answers again after {Duration:g}; continuing.", owner, time.GetUtcNow() - start);
            since = null;
        }
    }

    ResiliencePipeline Pipeline(string what) =>
        new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            // An outage has no budget; other failures keep the usual one.
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.FirstDelay,
            MaxDelay = options.MaxDelay,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } failure && (DatabaseFailures.IsDatabaseFailure(failure)
                || args.AttemptNumber < GrpoResilience.DatabaseAttempts - 1 && failure is not (OperationCanceledException or InconsistentStateException))),
            OnRetry = args =>
            {
                var failure = args.Outcome.Exception!;
                if (DatabaseFailures.IsDatabaseFailure(failure)) ReportOutage(what, failure);
                else logger.LogWarning("{Owner}: {What} failed (attempt {Attempt}): {Cause}; retrying in {Delay}.",
                    owner, what, args.AttemptNumber + 1, FailureText.Cause(failure), args.RetryDelay);
                return default;
            },
        }).Build();

    void ReportOutage(string what, Exception failure)
    {
        var now = time.GetUtcNow();
        if (since is not { } start)
        {
            since = lastReport = now;
            logger.LogWarning("{Owner}: waiting for the database, which cannot be reached ({Cause}); {What} is retried until it lands.",
                owner, FailureText.DriverMessage(failure), what);
        }
        else if (now - lastReport >= options.ReportEvery)
        {
            lastReport = now;
            logger.LogWarning("{Owner}: still waiting for the database after {Duration:g} ({Cause}).", owner, now - start, FailureText.DriverMessage(failure));
        }
    }
}
