using Grpo.Grains.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Grpo.Grains.Ledger;

/// <summary>
/// One run's ledger on its learner's silo: <see cref="Record"/> only queues a step's rows and returns; a background
/// writer drains the queue in batches. While the database does not answer, the writer retries the same batch with
/// capped backoff for as long as it takes and the queue keeps up to sample_ledger_buffer_rows rows; beyond that the
/// oldest steps are dropped, counted and logged. Training never waits for the database.
/// </summary>
public sealed class RunSampleLedger : IAsyncDisposable
{
    readonly string runId;
    readonly ISampleLedgerSink sink;
    readonly SampleLedgerOptions options;
    readonly ILogger logger;
    readonly SampleLedgerBuffer buffer;
    readonly SemaphoreSlim wake = new(0);
    readonly CancellationTokenSource stopping = new();
    readonly ResiliencePipeline retries;
    readonly Task writer;
    readonly object gate = new();
    TaskCompletionSource progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int inFlightRows;
    long writtenRows;
    long lostAtStop;
    DateTimeOffset? failingSince;
    bool dropReported;

    public RunSampleLedger(string runId, ISampleLedgerSink sink, int bufferRows, SampleLedgerOptions options, ILogger logger)
    {
        this.runId = runId;
        this.sink = sink;
        this.options = options;
        this.logger = logger;
        buffer = new SampleLedgerBuffer(bufferRows);
        retries = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            // An outage has no retry budget: the rows wait in the bounded buffer however long it lasts.
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.FirstRetryDelay,
            MaxDelay = options.MaxRetryDelay,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null and not OperationCanceledException),
            OnRetry = args =>
            {
                ReportFailure(args.Outcome.Exception!);
                // Wakes a checkpoint waiting for the writes, which gives up while the database fails.
                Pulse();
                return default;
            },
        }).Build();
        writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Rows of this run dropped so far: pushed out of the full buffer, or still unwritten when the ledger stopped.</summary>
    public long DroppedRows => buffer.DroppedRows + Interlocked.Read(ref lostAtStop);

    /// <summary>Rows written to the database so far.</summary>
    public long WrittenRows => Interlocked.Read(ref writtenRows);

    /// <summary>Rows recorded and not yet written.</summary>
    public int PendingRows { get { lock (gate) return buffer.Rows + inFlightRows; } }

    /// <summary>Queues a trained step's rows for writing and returns at once.</summary>
    public void Record(LedgerStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var dropped = buffer.Add(step);
        if (dropped > 0)
        {
            bool first;
            lock (gate)
            {
                first = !dropReported;
                dropReported = true;
            }

            if (first)
                logger.LogWarning("Run {Run}: the sample ledger's buffer of {Capacity} rows is full while the database does not answer; the oldest steps' rows are dropped ({Dropped} so far).",
                    runId, buffer.Capacity, buffer.DroppedRows);
        }

        wake.Release();
    }

    /// <summary>Waits until every recorded row is written or <paramref name="timeout"/> passes.</summary>
    /// <returns>True when nothing is left to write.</returns>
    public Task<bool> FlushAsync(TimeSpan timeout) => WaitForWritesAsync(timeout, giveUpWhileFailing: false);

    /// <summary>
    /// Called before the learner writes a checkpoint: waits until the rows recorded so far are written, because a learner
    /// restored from that checkpoint never trains those steps again, so rows still queued when its silo dies would be
    /// lost for good. Gives up at once while the database is failing and after
    /// <see cref="SampleLedgerOptions.CheckpointWait"/>, so an outage never holds training.
    /// </summary>
    /// <returns>True when nothing was left to write.</returns>
    public async Task<bool> SettleBeforeCheckpointAsync()
    {
        if (await WaitForWritesAsync(options.CheckpointWait, giveUpWhileFailing: true)) return true;
        // A failing database was reported already; a slow one is not, and its rows are now at risk until written.
        if (!Failing)
            logger.LogWarning("Run {Run}: a checkpoint goes ahead with {Rows} sample ledger rows not yet written (the database did not answer within {Wait}); they are lost should this silo die before they are.",
                runId, PendingRows, options.CheckpointWait);
        return false;
    }

    bool Failing { get { lock (gate) return failingSince is not null; } }

    async Task<bool> WaitForWritesAsync(TimeSpan timeout, bool giveUpWhileFailing)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task next;
            lock (gate) next = progress.Task;
            if (PendingRows == 0) return true;
            if (giveUpWhileFailing && Failing) return false;
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero) return false;
            try
            {
                await next.WaitAsync(remaining);
            }
            catch (TimeoutException)
            {
                return PendingRows == 0;
            }
        }
    }

    async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                await wake.WaitAsync(stopping.Token);
                while (TakeBatch() is { Count: > 0 } batch)
                {
                    var rows = batch.Sum(step => step.Count);
                    await retries.ExecuteAsync(async token => await sink.WriteAsync(batch, token), stopping.Token);
                    Interlocked.Add(ref writtenRows, rows);
                    lock (gate) inFlightRows -= rows;
                    ReportRecovery();
                    Pulse();
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped: DisposeAsync counts what was left.
        }
    }

    // Taken and counted as in flight at once, so a flush never sees a batch that is neither waiting nor in flight.
    IReadOnlyList<LedgerStep> TakeBatch()
    {
        lock (gate)
        {
            var batch = buffer.Take(options.BatchRows);
            inFlightRows += batch.Sum(step => step.Count);
            return batch;
        }
    }

    void Pulse()
    {
        TaskCompletionSource done;
        lock (gate)
        {
            done = progress;
            progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.SetResult();
    }

    void ReportFailure(Exception failure)
    {
        lock (gate)
        {
            if (failingSince is not null) return;
            failingSince = DateTimeOffset.UtcNow;
        }

        logger.LogWarning("Run {Run}: the sample ledger cannot write to the database ({Cause}); training goes on, up to {Capacity} rows wait and the write is retried.",
            runId, FailureText.Cause(failure), buffer.Capacity);
    }

    void ReportRecovery()
    {
        DateTimeOffset since;
        lock (gate)
        {
            if (failingSince is not { } start) return;
            since = start;
            failingSince = null;
            dropReported = false;
        }

        if (buffer.DroppedSteps is { } steps)
            logger.LogWarning("Run {Run}: the sample ledger writes again after {Duration:g}; {Dropped} rows were dropped in all (steps {First}–{Last} lost rows).",
                runId, DateTimeOffset.UtcNow - since, buffer.DroppedRows, steps.First, steps.Last);
        else
            logger.LogWarning("Run {Run}: the sample ledger writes again after {Duration:g}; no row was dropped.", runId, DateTimeOffset.UtcNow - since);
    }

    /// <summary>Writes what it can within the flush timeout, then stops; rows still unwritten are counted as dropped and logged.</summary>
    public async ValueTask DisposeAsync()
    {
        var flushed = await FlushAsync(options.FlushTimeout);
        await stopping.CancelAsync();
        await writer;
        if (!flushed)
        {
            int left;
            lock (gate)
            {
                left = buffer.Take(int.MaxValue).Sum(step => step.Count) + inFlightRows;
                inFlightRows = 0;
            }

            Interlocked.Add(ref lostAtStop, left);
            logger.LogWarning("Run {Run}: the sample ledger stopped with {Rows} rows not written (the database did not answer within {Timeout}); they are not in the ledger.",
                runId, left, options.FlushTimeout);
        }

        stopping.Dispose();
        wake.Dispose();
    }
}
