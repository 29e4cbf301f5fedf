using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Core.Generation;

namespace Grpo.Grains.Rollout;

/// <summary>One caller's request waiting in the engine; the caller awaits <see cref="Task"/>.</summary>
internal sealed class PendingRollout
{
    // Continuations run on the thread pool so a caller's code never runs on the engine's loop or torch thread.
    readonly TaskCompletionSource<RolloutOutput> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly CancellationTokenRegistration registration;

    public PendingRollout(string runId, RunConfig config, int[] promptTokens, long minPolicyVersion, LearnerLineage lineage, SampleKey sampleKey, long arrival, CancellationToken cancellationToken)
    {
        Lineage = lineage;
        SampleKey = sampleKey;
        RunId = runId;
        Config = config;
        PromptTokens = promptTokens;
        MinPolicyVersion = minPolicyVersion;
        Arrival = arrival;
        ArrivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        // A cancelled caller stops waiting at once; if its prompt is already being decoded, the result is dropped.
        if (cancellationToken.CanBeCanceled)
            registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
    }

    public string RunId { get; }
    public RunConfig Config { get; }
    public int[] PromptTokens { get; }
    public long MinPolicyVersion { get; }

    /// <summary>The learner lineage the request must be served from; <see cref="LearnerLineage.Any"/> accepts any.</summary>
    public LearnerLineage Lineage { get; }

    /// <summary>The completion's own sampling stream.</summary>
    public SampleKey SampleKey { get; }

    /// <summary>Order of arrival at the engine, so the request waiting longest is served first.</summary>
    public long Arrival { get; }

    /// <summary>When the request arrived (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), for the queue-wait metric.</summary>
    public long ArrivedAt { get; }

    public Task<RolloutOutput> Task => completion.Task;

    /// <summary>Cancelled (or otherwise finished) before it was served: no need to generate for it.</summary>
    public bool IsAbandoned => completion.Task.IsCompleted;

    public void Complete(RolloutOutput output)
    {
        completion.TrySetResult(output);
        registration.Dispose();
    }

    public void Fail(Exception error)
    {
        completion.TrySetException(error);
        registration.Dispose();
    }
}
