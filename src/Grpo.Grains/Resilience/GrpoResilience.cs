using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Grpo.Grains.Learning;
using Grpo.Grains.Placement;
using Grpo.Grains.Rollout;

namespace Grpo.Grains.Resilience;

/// <summary>
/// The resilience pipelines of the cluster, in one place. A completion call that times out or fails (its silo died,
/// say) is retried with jittered exponential backoff; Orleans re-activates the grain on a live silo on the retry.
/// </summary>
public static class GrpoResilience
{
    public const int CompletionAttempts = 4;

    public const int PromptAttempts = 4;

    public const int DatabaseAttempts = 6;

    public const int ConnectAttempts = 4;

    public const int WeightCallAttempts = 4;

    public static ResiliencePipeline CompletionCalls(TimeSpan attemptTimeout, ILogger logger) =>
        new ResiliencePipelineBuilder()
            .AddRetry(Retry("Completion", CompletionAttempts, logger))
            .AddTimeout(attemptTimeout)
            .Build();

    /// <summary>
    /// A prompt grain's call fails when its silo dies (Orleans breaks calls to a silo declared dead); the retry lands
    /// on a fresh activation with the same key. No per-attempt timeout: a group legitimately takes as long as its
    /// generation does.
    /// </summary>
    public static ResiliencePipeline PromptCalls(ILogger logger) =>
        new ResiliencePipelineBuilder().AddRetry(Retry("Prompt", PromptAttempts, logger)).Build();

    /// <summary>
    /// Writes of run state and of the run registry made while a caller waits (a submit, a resume): the database may be
    /// briefly unreachable (a restart, a fail-over), so a write is retried with backoff for about 15 s before the caller is
    /// told it failed. The run loop's own writes wait out an outage of any length (<see cref="DatabaseOutage"/>). A write refused because another
    /// activation wrote in between (<see cref="InconsistentStateException"/>) is not retried: this activation's state
    /// is stale and must not overwrite the newer one.
    /// </summary>
    public static ResiliencePipeline DatabaseCalls(string what, ILogger logger) =>
        new ResiliencePipelineBuilder()
            .AddRetry(Retry(what, DatabaseAttempts, logger, TimeSpan.FromMilliseconds(500),
                e => e is not OperationCanceledException and not InconsistentStateException))
            .Build();

    /// <summary>
    /// A client connecting to the cluster database: retried a few times with backoff while <paramref name="isTransient"/>
    /// says the failure may pass (the server unreachable, say); a wrong password or a missing schema fails at once.
    /// </summary>
    public static ResiliencePipeline ClientConnect(Func<Exception, bool> isTransient, ILogger logger) =>
        new ResiliencePipelineBuilder()
            .AddRetry(Retry("Cluster connection", ConnectAttempts, logger, TimeSpan.FromMilliseconds(500),
                e => e is not OperationCanceledException && isTransient(e)))
            .Build();

    /// <summary>
    /// A rollout engine's calls for a weight manifest or chunk: the learner's silo may be briefly unreachable or slow
    /// (a busy silo, a connection being re-established), so a failed or timed-out call is retried with jittered backoff.
    /// A chunk that arrives damaged is not this pipeline's business: the puller verifies the image and pulls it afresh.
    /// A learner that is not initialised or has no such policy is no transport failure, nor is a cluster with no learner silo:
    /// the engine fails those requests at once and the run's loop, which watches its learner, decides what comes next.
    /// </summary>
    public static ResiliencePipeline WeightCalls(ILogger logger) =>
        new ResiliencePipelineBuilder()
            .AddRetry(Retry("Weight pull", WeightCallAttempts, logger, TimeSpan.FromMilliseconds(200),
                e => e is (OrleansException or TimeoutException) and not (LearnerNotInitializedException or PolicyUnavailableException or NoSiloWithRoleException)))
            .Build();

    /// <inheritdoc cref="ExecuteOnCallerContextAsync{T}"/>
    public static Task ExecuteOnCallerContextAsync(this ResiliencePipeline pipeline, Func<CancellationToken, Task> call, CancellationToken cancellationToken = default) =>
        pipeline.ExecuteOnCallerContextAsync(async token =>
        {
            await call(token);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="call"/> under <paramref name="pipeline"/> on the caller's context. Grains must: Polly
    /// otherwise continues on the thread pool after a retry delay, where a grain may no longer use its runtime.
    /// </summary>
    /// <param name="cancellationToken">Ends the retries (a delay under way included) with an <see cref="OperationCanceledException"/>.</param>
    public static async Task<T> ExecuteOnCallerContextAsync<T>(this ResiliencePipeline pipeline, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true, cancellationToken);
        try
        {
            return await pipeline.ExecuteAsync(async ctx => await call(ctx.CancellationToken), context);
        }
        catch (TimeoutRejectedException e)
        {
            // Polly's exception has no Orleans codec, not even as an inner exception: a grain rethrowing it, or an
            // exception wrapping it, would fail its caller with a serialization error instead of a timeout.
            throw new TimeoutException(e.Message);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    static RetryStrategyOptions Retry(string what, int attempts, ILogger logger) =>
        // A request for a policy the learner no longer has fails the same way every time, and so does placing a grain while no
        // silo has its role (the silos are stopping, say): the run's loop redoes the step instead, once it can.
        Retry(what, attempts, logger, TimeSpan.FromMilliseconds(200), e => e is not (OperationCanceledException or PolicyUnavailableException or NoSiloWithRoleException));

    static RetryStrategyOptions Retry(string what, int attempts, ILogger logger, TimeSpan firstDelay, Func<Exception, bool> shouldRetry) => new()
    {
        MaxRetryAttempts = attempts - 1,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = firstDelay,
        ShouldHandle = new PredicateBuilder().Handle(shouldRetry),
        OnRetry = args =>
        {
            // A retried failure is expected (a silo died, the database restarts): its cause is enough, and one kill would
            // otherwise print a stack trace for every call in flight. A failure that outlasts the retries is logged in full
            // by whoever gives up on it.
            logger.LogWarning("{What} call failed (attempt {Attempt}): {Cause}; retrying in {Delay}.",
                what, args.AttemptNumber + 1, args.Outcome.Exception is { } failure ? FailureText.Cause(failure) : "no result", args.RetryDelay);
            return default;
        },
    };
}
