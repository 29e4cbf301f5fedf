using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Dashboard;

/// <summary>
/// One run as every open page of it sees it: reads the run's status, new steps and new samples from the run grain
/// once per poll interval and pushes what changed to each browser; a browser that connects first gets all read so far.
/// Steps and samples are kept by step, so a step the learner redoes after a restore replaces the one sent before.
/// </summary>
public sealed class RunFeed : IAsyncDisposable
{
    private readonly string runId;
    private readonly IDashboardSource source;
    private readonly EventFanOut fanOut = new();
    private readonly Lock gate = new();
    private readonly SortedDictionary<long, StepMetrics> steps = [];
    private readonly SortedDictionary<(long Step, int Prompt), SampledGroup> samples = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private RunView? status;
    private ConnectionView connection = ConnectionView.Up;
    private long nextStep;
    private long nextSampleStep;

    public RunFeed(string runId, IDashboardSource source, DashboardTiming timing, TimeProvider time)
    {
        this.runId = runId;
        this.source = source;
        var feedLoop = new FeedLoop($"run {runId}", source, timing, time, Report);
        loop = Task.Run(() => feedLoop.RunAsync(ReadAsync, stopping.Token));
    }

    public EventSubscription Subscribe()
    {
        lock (gate)
        {
            List<DashboardEvent> snapshot = [DashboardEvent.Of("connection", connection)];
            if (status is not null)
            {
                snapshot.Add(DashboardEvent.Of("status", status));
            }

            if (steps.Count > 0)
            {
                snapshot.Add(DashboardEvent.Of("steps", steps.Values.ToArray()));
            }

            if (samples.Count > 0)
            {
                snapshot.Add(DashboardEvent.Of("samples", samples.Values.ToArray()));
            }

            return fanOut.Subscribe(snapshot);
        }
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var read = await source.CallAsync(cluster => cluster.GetRun(runId).GetStatusAsync(), cancellationToken);
        // A learner restored from a checkpoint goes back to its step and redoes the steps since, with other values.
        var fromStep = Math.Min(nextStep, read.Step);
        var fromSample = Math.Min(nextSampleStep, read.Step);
        var newSteps = (await source.CallAsync(cluster => cluster.GetRun(runId).GetMetricsAsync(fromStep), cancellationToken))
            .Where(step => step.Step >= fromStep).OrderBy(step => step.Step).ToArray();
        var newSamples = (await source.CallAsync(cluster => cluster.GetRun(runId).GetSamplesAsync(fromSample), cancellationToken))
            .Where(sample => sample.Step >= fromSample).ToArray();
        var activity = read.IsFinished ? null : await source.CallAsync(cluster => cluster.GetRun(runId).GetActivityAsync(), cancellationToken);
        var view = RunView.From(read, runId, activity);

        lock (gate)
        {
            if (view != status)
            {
                status = view;
                fanOut.Publish(DashboardEvent.Of("status", view));
            }

            if (newSteps.Length > 0)
            {
                foreach (var step in newSteps)
                {
                    steps[step.Step] = step;
                }

                nextStep = newSteps[^1].Step + 1;
                fanOut.Publish(DashboardEvent.Of("steps", newSteps));
            }

            var fresh = newSamples.Where(sample => !samples.TryGetValue((sample.Step, sample.PromptIndex), out var known) || known != sample).ToArray();
            if (fresh.Length > 0)
            {
                foreach (var sample in fresh)
                {
                    samples[(sample.Step, sample.PromptIndex)] = sample;
                }

                nextSampleStep = fresh.Max(sample => sample.Step) + 1;
                fanOut.Publish(DashboardEvent.Of("samples", fresh));
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
