using Grpo.Core.Registries;

namespace Grpo.Core.Rewards.Http;

/// <summary>
/// Scores completions with an external reward service (a judge model, a code runner, a verifier): completions scored
/// within <see cref="HttpRewardOptions.BatchWait"/> of each other go out as one POST of up to
/// <see cref="HttpRewardOptions.MaxBatch"/> items (see <see cref="RewardServiceRequest"/>), and each gets its score
/// from the answer (see <see cref="RewardServiceResponse"/>). A service that fails fails those completions with a
/// <see cref="RewardServiceException"/>; it never scores them 0.
/// </summary>
[GrpoComponent("http", Description = "POSTs batches of {prompt, completion, answer, metadata} to url and reads {\"scores\": [...]}; " +
    "timeout_seconds = 10, max_retries = 3, headers, batch_wait_ms = 10, max_batch = 64.")]
public sealed class HttpReward : IRewardFunction, IDisposable
{
    readonly RewardServiceClient client;
    readonly RequestBatcher<RewardInput, float> batcher;
    readonly CancellationTokenSource lifetime = new();

    public HttpReward(ComponentArguments arguments)
        : this(HttpRewardOptions.Read(arguments), handler: null)
    {
    }

    HttpReward(HttpRewardOptions options, HttpMessageHandler? handler)
    {
        Options = options;
        client = new RewardServiceClient(options, handler);
        batcher = new RequestBatcher<RewardInput, float>(options.BatchWait, options.MaxBatch, items => client.ScoreAsync(items, lifetime.Token));
    }

    /// <summary>An http reward built in code rather than from a run configuration.</summary>
    public static HttpReward Create(HttpRewardOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HttpReward(options, handler);
    }

    public string Name => "http";

    public HttpRewardOptions Options { get; }

    public async ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        // A caller that gives up stops waiting; the batch it joined is still sent for the others in it.
        return await batcher.Add(input).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        lifetime.Cancel();
        client.Dispose();
        lifetime.Dispose();
    }
}
