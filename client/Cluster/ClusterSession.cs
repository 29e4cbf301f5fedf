using Polly;
using Polly.Retry;

namespace Grpo.Client.Cluster;

/// <summary>
/// A client's connection to a cluster that is made again whenever it is lost. A call that finds the cluster
/// unreachable drops the connection, waits (see <see cref="ReconnectPolicy"/>), connects afresh — which reads the
/// cluster's live gateways from its membership table, so any gateway of the cluster will do — and calls again. Each
/// retry prints one line to <paramref name="error"/>, and the first answer after a loss one more. A first connection
/// that fails is not retried: the connector has already waited for a silo and retried the database.
/// </summary>
/// <param name="keepTryingOnceConnected">
/// Never give up once a call has succeeded (<c>grpo watch</c>: until the run ends or the user stops it); without it,
/// and before the first success, the policy's retries bound the wait.
/// </param>
public sealed class ClusterSession : IAsyncDisposable
{
    private readonly IClusterConnector connector;
    private readonly ClusterTarget target;
    private readonly TextWriter error;
    private readonly bool keepTryingOnceConnected;
    private readonly ResiliencePipeline pipeline;
    private IRunCluster? cluster;
    private bool answered;
    private bool connected;
    private bool lost;

    public ClusterSession(IClusterConnector connector, ClusterTarget target, ReconnectPolicy policy, TextWriter error, bool keepTryingOnceConnected = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        this.connector = connector;
        this.target = target;
        this.error = error;
        this.keepTryingOnceConnected = keepTryingOnceConnected;
        pipeline = policy.Retries == 0 && !keepTryingOnceConnected
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder()
                .AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = int.MaxValue,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = policy.FirstDelay,
                    MaxDelay = policy.MaxDelay,
                    // A cluster never reached is more likely a wrong address than an outage (and the connector has
                    // waited for a silo already): only a connection that was made is made again.
                    ShouldHandle = args => ValueTask.FromResult(
                        args.Outcome.Exception is { } e && ClusterFailures.IsUnreachable(e) && connected
                        && ((keepTryingOnceConnected && answered) || args.AttemptNumber < policy.Retries)),
                    OnRetry = args =>
                    {
                        error.WriteLine(
                            $"grpo: cluster '{target.ClusterId}' unreachable ({ClusterFailures.Reason(args.Outcome.Exception!)}); "
                            + $"reconnecting in {Math.Max(1, Math.Round(args.RetryDelay.TotalSeconds)):0} s (attempt {args.AttemptNumber + 1}).");
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
    }

    /// <summary>Whether a connection was made at least once (a call may still have failed on it).</summary>
    public bool Connected => connected;

    /// <summary>Runs <paramref name="call"/> against the cluster, reconnecting as the policy allows.</summary>
    /// <exception cref="ClusterUnreachableException">The cluster stayed unreachable through every allowed attempt.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended the wait.</exception>
    public async Task<T> CallAsync<T>(Func<IRunCluster, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await pipeline.ExecuteAsync(async token => await AttemptAsync(call, token), cancellationToken);
        }
        catch (Exception exception) when (ClusterFailures.IsUnreachable(exception) && !cancellationToken.IsCancellationRequested)
        {
            throw new ClusterUnreachableException($"cluster '{target.ClusterId}' unreachable: {ClusterFailures.Reason(exception)}", exception);
        }
    }

    private async Task<T> AttemptAsync<T>(Func<IRunCluster, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            cluster ??= await connector.ConnectAsync(target, cancellationToken);
            connected = true;
            var result = await call(cluster);
            if (lost)
            {
                error.WriteLine($"grpo: reconnected to cluster '{target.ClusterId}'.");
                lost = false;
            }

            answered = true;
            return result;
        }
        catch (Exception exception) when (ClusterFailures.IsUnreachable(exception))
        {
            // A client that lost every gateway may never find the restarted silos; a new one reads them from the membership table.
            lost = true;
            await DropAsync();
            throw;
        }
    }

    private async Task DropAsync()
    {
        if (cluster is { } dropped)
        {
            cluster = null;
            try
            {
                await dropped.DisposeAsync();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The connection is being thrown away because it failed; how it fails to close changes nothing.
            }
        }
    }

    public ValueTask DisposeAsync() => new(DropAsync());
}
