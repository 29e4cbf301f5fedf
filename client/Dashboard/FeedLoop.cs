using System.Globalization;
using Grpo.Client.Cluster;

namespace Grpo.Client.Dashboard;

/// <summary>
/// The read-wait cycle of a feed: reads the cluster every poll interval; after a failed read it tells the browsers why
/// and when it tries again, backs off (see <see cref="DashboardTiming.Backoff"/>), and says so once a read succeeds again.
/// The browsers keep what they have meanwhile: a feed never publishes a state it did not read.
/// </summary>
internal sealed class FeedLoop(string subject, IDashboardSource source, DashboardTiming timing, TimeProvider time, Action<ConnectionView> report)
{
    public async Task RunAsync(Func<CancellationToken, Task> read, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                await read(cancellationToken);
                if (failures > 0)
                {
                    failures = 0;
                    report(ConnectionView.Up);
                }

                wait = timing.PollInterval;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                failures++;
                wait = timing.Backoff(failures);
                report(new ConnectionView(false, Describe(exception, wait, failures + 1)));
            }

            try
            {
                await Task.Delay(wait, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private string Describe(Exception exception, TimeSpan wait, int attempt)
    {
        var seconds = Math.Max(1, Math.Round(wait.TotalSeconds)).ToString("0", CultureInfo.InvariantCulture);
        var reason = ClusterFailures.Reason(exception.InnerException is { } inner && exception is ClusterUnreachableException ? inner : exception);
        var lost = exception is ClusterUnreachableException or NoGatewayAnsweredException || ClusterFailures.IsUnreachable(exception);
        return lost
            ? $"cluster '{source.ClusterName}' unreachable ({reason}); reconnecting in {seconds} s (attempt {attempt})."
            : $"could not read {subject} from cluster '{source.ClusterName}' ({reason}); trying again in {seconds} s (attempt {attempt}).";
    }
}
