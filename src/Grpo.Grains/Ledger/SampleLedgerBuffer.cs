namespace Grpo.Grains.Ledger;

/// <summary>
/// The rows waiting for the database, bounded: adding a step beyond <see cref="Capacity"/> rows drops the oldest waiting
/// steps (whole steps, see <see cref="LedgerStep"/>) and counts their rows. A step larger than the whole bound is kept
/// alone rather than dropped on arrival, so the newest step always waits. Thread-safe.
/// </summary>
public sealed class SampleLedgerBuffer(int capacity)
{
    readonly object gate = new();
    readonly LinkedList<LedgerStep> waiting = new();
    int rows;
    long dropped;
    long? firstDroppedStep;
    long? lastDroppedStep;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be at least 1.");

    /// <summary>Rows waiting now.</summary>
    public int Rows { get { lock (gate) return rows; } }

    /// <summary>Rows dropped since the buffer was made.</summary>
    public long DroppedRows { get { lock (gate) return dropped; } }

    /// <summary>The lowest and highest step of which rows were dropped, or null while none were.</summary>
    public (long First, long Last)? DroppedSteps { get { lock (gate) return firstDroppedStep is { } f ? (f, lastDroppedStep!.Value) : null; } }

    /// <returns>The rows dropped to make room, 0 when everything fitted.</returns>
    public int Add(LedgerStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Count == 0) return 0;
        lock (gate)
        {
            // A step already waiting (trained again before it was written) is replaced, never written twice.
            for (var node = waiting.First; node is not null; node = node.Next)
                if (node.Value.RunId == step.RunId && node.Value.Step == step.Step)
                {
                    rows -= node.Value.Count;
                    waiting.Remove(node);
                    break;
                }

            var droppedNow = 0;
            while (waiting.First is { } oldest && rows + step.Count > Capacity)
            {
                waiting.RemoveFirst();
                rows -= oldest.Value.Count;
                droppedNow += oldest.Value.Count;
                firstDroppedStep = firstDroppedStep is { } f ? Math.Min(f, oldest.Value.Step) : oldest.Value.Step;
                lastDroppedStep = lastDroppedStep is { } l ? Math.Max(l, oldest.Value.Step) : oldest.Value.Step;
            }

            waiting.AddLast(step);
            rows += step.Count;
            dropped += droppedNow;
            return droppedNow;
        }
    }

    /// <summary>
    /// Takes the oldest waiting steps, at least one and then as many as fit in <paramref name="maxRows"/>, out of the
    /// buffer; empty when nothing waits.
    /// </summary>
    public IReadOnlyList<LedgerStep> Take(int maxRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        lock (gate)
        {
            var taken = new List<LedgerStep>();
            var takenRows = 0;
            while (waiting.First is { } oldest && (taken.Count == 0 || takenRows + oldest.Value.Count <= maxRows))
            {
                waiting.RemoveFirst();
                taken.Add(oldest.Value);
                takenRows += oldest.Value.Count;
            }

            rows -= takenRows;
            return taken;
        }
    }
}
