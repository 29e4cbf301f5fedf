using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Grpo.Grains.Resilience;

/// <summary>
/// The resilience pipelines of the cluster, in one place. A completion call that times out or fails (its silo died,
/// say) is retried with jittered exponential backoff; Orleans re-activates the grain on a live silo on the retry.
/// </summary>
public static class GrpoResilience
{
    public const int CompletionAttempts = 4;

    public static ResiliencePipeline CompletionCalls(TimeSpan attemptTimeout, ILogger logger) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = CompletionAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                OnRetry = args =>
                {
                    logger.LogWarning(args.Outcome.Exception, "Completion call failed (attempt {Attempt}); retrying in {Delay}.",
                        args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .AddTimeout(attemptTimeout)
            .Build();
}
