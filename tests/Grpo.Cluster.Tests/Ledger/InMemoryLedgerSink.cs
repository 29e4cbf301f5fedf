using Grpo.Grains.Ledger;

namespace Grpo.Cluster.Tests.Ledger;

/// <summary>
/// The ledger's table in memory, with the PostgreSQL writer's rule (a written step replaces its run and step's rows), a
/// count of writes per key, and a switch that makes writes fail or hang as an unreachable database would.
/// </summary>
public sealed class InMemoryLedgerSink : ISampleLedgerSink
{
    readonly object gate = new();
    readonly Dictionary<(string Run, long Step, int Prompt, int Sample), LedgerRow> rows = new();
    readonly Dictionary<(string Run, long Step, int Prompt, int Sample), int> writes = new();
    TaskCompletionSource? hang;

    /// <summary>Writes fail with this while it is set.</summary>
    public Exception? Failure { get; set; }

    public int Batches { get; private set; }

    public List<int> BatchRows { get; } = [];

    /// <summary>Every write waits until <see cref="Release"/>.</summary>
    public void Hang() { lock (gate) hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); }

    public void Release() { TaskCompletionSource? waiting; lock (gate) { waiting = hang; hang = null; } waiting?.SetResult(); }

    public async Task WriteAsync(IReadOnlyList<LedgerStep> steps, CancellationToken cancellationToken)
    {
        Task? wait;
        lock (gate) wait = hang?.Task;
        if (wait is not null) await wait.WaitAsync(cancellationToken);
        if (Failure is { } failure) throw failure;
        lock (gate)
        {
            Batches++;
            BatchRows.Add(steps.Sum(s => s.Count));
            foreach (var step in steps)
            {
                foreach (var key in rows.Keys.Where(k => k.Run == step.RunId && k.Step == step.Step).ToArray()) rows.Remove(key);
                foreach (var row in step.Rows)
                {
                    var key = (row.RunId, row.Step, row.PromptIndex, row.SampleIndex);
                    rows[key] = row;
                    writes[key] = writes.GetValueOrDefault(key) + 1;
                }
            }
        }
    }

    public IReadOnlyList<LedgerRow> Rows(string runId)
    {
        lock (gate) return [.. rows.Values.Where(r => r.RunId == runId).OrderBy(r => r.Step).ThenBy(r => r.PromptIndex).ThenBy(r => r.SampleIndex)];
    }

    public int WritesOf(string runId, long step, int prompt, int sample)
    {
        lock (gate) return writes.GetValueOrDefault((runId, step, prompt, sample));
    }
}
