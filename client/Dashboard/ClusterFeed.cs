using Grpo.Abstractions.Contracts;
using Orleans.Runtime;

namespace Grpo.Client.Dashboard;

/// <summary>
/// The cluster as every open front page sees it: its runs from the run registry (which activates no run), its silos
/// from the membership table, and for each running run its learner's silo and newest step. Read once per poll
/// interval and pushed to the browsers when it changed.
/// </summary>
public sealed class ClusterFeed : IAsyncDisposable
{
    private readonly IDashboardSource source;
    private readonly EventFanOut fanOut = new();
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    // Held-out accuracy of a running run comes from its steps; the registry's status has only baseline and final.
    private readonly Dictionary<string, double> latestAccuracy = [];
    private DashboardEvent? runs;
    private DashboardEvent? cluster;
    private ConnectionView connection = ConnectionView.Up;

    public ClusterFeed(IDashboardSource source, DashboardTiming timing, TimeProvider time)
    {
        this.source = source;
        var feedLoop = new FeedLoop("the run list", source, timing, time, Report);
        loop = Task.Run(() => feedLoop.RunAsync(ReadAsync, stopping.Token));
    }

    public EventSubscription Subscribe()
    {
        lock (gate)
        {
            List<DashboardEvent> snapshot = [DashboardEvent.Of("connection", connection)];
            if (runs is not null) snapshot.Add(runs);
            if (cluster is not null) snapshot.Add(cluster);
            return fanOut.Subscribe(snapshot);
        }
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var statuses = await source.CallAsync(c => c.GetRegistry().ListAsync(), cancellationToken);
        var hosts = await source.CallAsync(c => c.GetManagement().GetDetailedHosts(onlyActive: true), cancellationToken);
        var active = new List<RunActivityRow>();
        var completions = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var status in statuses.Where(status => !status.IsFinished))
        {
            var runId = status.RunId;
            var learner = await source.CallAsync(c => c.GetRun(runId).GetLearnerSiloAsync(), cancellationToken);
            var recent = await source.CallAsync(c => c.GetRun(runId).GetMetricsAsync(Math.Max(0, status.Step - 1)), cancellationToken);
            if (recent.LastOrDefault(step => step.HeldOutAccuracy is not null)?.HeldOutAccuracy is { } accuracy)
            {
                latestAccuracy[runId] = accuracy;
            }

            var newest = recent.MaxBy(step => step.Step);
            active.Add(new RunActivityRow(runId, status.Step, status.PolicyVersion, newest?.MaxStaleness ?? 0, newest?.TokensPerSecond ?? 0, learner));
            foreach (var (silo, count) in newest?.CompletionsBySilo ?? new Dictionary<string, int>())
            {
                if (!completions.TryGetValue(silo, out var byRun))
                {
                    completions[silo] = byRun = new Dictionary<string, int>(StringComparer.Ordinal);
                }

                byRun[runId] = count;
            }
        }

        var rows = statuses.Select(status => new RunRow(
            status.RunId, status.State, status.Step, status.TotalSteps, status.PolicyVersion, status.CheckpointStep,
            status.FinalAccuracy ?? (latestAccuracy.TryGetValue(status.RunId, out var seen) ? seen : status.BaselineAccuracy),
            status.Phase, status.Error, status.IsFinished, status.Resumable, status.StartedAt)).ToArray();
        var silos = hosts.OrderBy(host => host.SiloName, StringComparer.Ordinal).Select(host => new SiloRow(
            host.SiloName, host.SiloAddress.ToParsableString(), host.HostName, host.Status.ToString(), host.StartTime, host.IAmAliveTime,
            [.. active.Where(run => run.LearnerSilo == host.SiloAddress.ToParsableString()).Select(run => run.RunId)],
            // Completions name their silo as SiloAddress.ToString() does.
            completions.GetValueOrDefault(host.SiloAddress.ToString()) ?? new Dictionary<string, int>())).ToArray();

        var runsEvent = DashboardEvent.Of("runs", rows);
        var clusterEvent = DashboardEvent.Of("cluster", new ClusterView(source.ClusterName, silos, [.. active]));
        lock (gate)
        {
            if (runsEvent != runs)
            {
                runs = runsEvent;
                fanOut.Publish(runsEvent);
            }

            if (clusterEvent != cluster)
            {
                cluster = clusterEvent;
                fanOut.Publish(clusterEvent);
            }
        }
    }

    private void Report(ConnectionView view)
    {
        lock (gate)
        {
            connection = view;
            fanOut.Publish(DashboardEvent.Of("connection", view));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await loop;
        fanOut.Complete();
        stopping.Dispose();
    }
}
