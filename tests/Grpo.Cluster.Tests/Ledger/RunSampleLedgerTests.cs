using Grpo.Cluster.Tests.Runs;
using Grpo.Grains.Ledger;
using Microsoft.Extensions.Logging;

namespace Grpo.Cluster.Tests.Ledger;

/// <summary>The background writer: batches, flush, an unreachable database (buffer, drop, count, report), stop.</summary>
public sealed class RunSampleLedgerTests
{
    static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    static readonly SampleLedgerOptions Fast = new()
    {
        BatchRows = 8,
        FirstRetryDelay = TimeSpan.FromMilliseconds(5),
        MaxRetryDelay = TimeSpan.FromMilliseconds(20),
        FlushTimeout = TimeSpan.FromSeconds(30),
    };

    readonly InMemoryLedgerSink sink = new();
    readonly RecordingLoggerProvider logs = new();

    IEnumerable<string> Messages => logs.Entries.Select(e => e.Message);

    RunSampleLedger Open(int bufferRows, SampleLedgerOptions? options = null) =>
        new("r", sink, bufferRows, options ?? Fast, logs.CreateLogger("Grpo.Grains.Ledger"));

    [Fact]
    public async Task Recorded_steps_are_written_in_batches_of_whole_steps_and_flush_waits_for_them()
    {
        await using var ledger = Open(1000);
        sink.Hang();
        for (var step = 0; step < 6; step++) ledger.Record(LedgerTestRows.Step(step, 4));
        sink.Release();

        Assert.True(await ledger.FlushAsync(Generous));

        Assert.Equal(24, sink.Rows("r").Count);
        Assert.All(sink.BatchRows, rows => Assert.InRange(rows, 4, 8));
        Assert.Equal(24, ledger.WrittenRows);
        Assert.Equal(0, ledger.PendingRows);
        Assert.Equal(0, ledger.DroppedRows);
    }

    [Fact]
    public async Task Record_returns_at_once_while_the_database_hangs()
    {
        await using var ledger = Open(1000);
        sink.Hang();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var step = 0; step < 50; step++) ledger.Record(LedgerTestRows.Step(step, 4));
        var recording = clock.Elapsed;

        // Nothing a test can time reliably: only that recording finished while no write could complete.
        Assert.Equal(0, ledger.WrittenRows);
        Assert.Equal(200, ledger.PendingRows);
        Assert.False(await ledger.FlushAsync(TimeSpan.FromMilliseconds(50)));
        sink.Release();
        Assert.True(await ledger.FlushAsync(Generous), $"recording took {recording}");
        Assert.Equal(200, sink.Rows("r").Count);
    }

    [Fact]
    public async Task While_the_database_fails_the_buffer_keeps_its_bound_drops_the_oldest_steps_counts_and_reports_them_once()
    {
        await using var ledger = Open(bufferRows: 12);
        sink.Failure = new InvalidOperationException("connection refused");
        for (var step = 0; step < 10; step++) ledger.Record(LedgerTestRows.Step(step, 4));
        await WaitUntilAsync(() => Messages.Any(m => m.Contains("cannot write to the database", StringComparison.Ordinal)));

        sink.Failure = null;
        Assert.True(await ledger.FlushAsync(Generous));

        // The first batch (two steps, up to 8 rows) was in flight when the rest arrived; the buffer then held at most 12 rows.
        var written = sink.Rows("r").Select(r => r.Step).Distinct().ToArray();
        Assert.Equal(40, ledger.DroppedRows + sink.Rows("r").Count);
        Assert.InRange(ledger.DroppedRows, 40 - 8 - 12, 40 - 12);
        Assert.Equal([7L, 8L, 9L], written.TakeLast(3));
        Assert.Single(Messages, m => m.Contains("cannot write to the database", StringComparison.Ordinal));
        Assert.Single(Messages, m => m.Contains("buffer of 12 rows is full", StringComparison.Ordinal));
        await WaitUntilAsync(() => Messages.Any(m => m.Contains("writes again", StringComparison.Ordinal)));
        Assert.Contains(Messages, m => m.Contains($"{ledger.DroppedRows} rows were dropped in all", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_while_the_database_does_not_answer_counts_and_logs_the_rows_left()
    {
        var ledger = Open(1000, Fast with { FlushTimeout = TimeSpan.FromMilliseconds(100) });
        sink.Failure = new InvalidOperationException("connection refused");
        ledger.Record(LedgerTestRows.Step(0, 4));
        ledger.Record(LedgerTestRows.Step(1, 4));

        await ledger.DisposeAsync();

        Assert.Equal(8, ledger.DroppedRows);
        Assert.Empty(sink.Rows("r"));
        Assert.Contains(Messages, m => m.Contains("stopped with 8 rows not written", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_checkpoint_waits_until_the_rows_recorded_before_it_are_written()
    {
        await using var ledger = Open(1000, Fast with { CheckpointWait = TimeSpan.FromMinutes(10) });
        sink.Hang();
        ledger.Record(LedgerTestRows.Step(0, 4));
        ledger.Record(LedgerTestRows.Step(1, 4));

        var settling = ledger.SettleBeforeCheckpointAsync();
        // Still waiting while the write cannot complete; it finishes as soon as the write does, not at the bound.
        Assert.False(settling.IsCompleted);
        Assert.Empty(sink.Rows("r"));
        sink.Release();

        Assert.True(await settling.WaitAsync(Generous));
        Assert.Equal(8, sink.Rows("r").Count);
    }

    [Fact]
    public async Task A_checkpoint_does_not_wait_for_a_failing_database()
    {
        await using var ledger = Open(1000, Fast with { CheckpointWait = TimeSpan.FromMinutes(10) });
        sink.Failure = new InvalidOperationException("connection refused");
        ledger.Record(LedgerTestRows.Step(0, 4));
        await WaitUntilAsync(() => Messages.Any(m => m.Contains("cannot write to the database", StringComparison.Ordinal)));
        ledger.Record(LedgerTestRows.Step(1, 4));

        // A wait bounded by CheckpointWait (ten minutes) would fail this generous timeout.
        Assert.False(await ledger.SettleBeforeCheckpointAsync().WaitAsync(Generous));
        Assert.Equal(8, ledger.PendingRows);
        Assert.DoesNotContain(Messages, m => m.Contains("a checkpoint goes ahead", StringComparison.Ordinal));

        sink.Failure = null;
        Assert.True(await ledger.FlushAsync(Generous));
        Assert.Equal(8, sink.Rows("r").Count);
    }

    [Fact]
    public async Task A_checkpoint_waits_for_a_hanging_database_only_up_to_its_bound_and_says_what_is_at_risk()
    {
        await using var ledger = Open(1000, Fast with { CheckpointWait = TimeSpan.FromMilliseconds(50) });
        sink.Hang();
        ledger.Record(LedgerTestRows.Step(0, 4));

        Assert.False(await ledger.SettleBeforeCheckpointAsync().WaitAsync(Generous));

        Assert.Equal(4, ledger.PendingRows);
        Assert.Contains(Messages, m => m.Contains("a checkpoint goes ahead with 4 sample ledger rows not yet written", StringComparison.Ordinal));
        sink.Release();
        Assert.True(await ledger.FlushAsync(Generous));
    }

    [Fact]
    public async Task A_silo_without_a_database_refuses_to_open_a_ledger_naming_the_run_and_silo()
    {
        var ledgers = new SampleLedger(LoggerFactory.Create(_ => { }));

        var error = Assert.Throws<InvalidOperationException>(() => ledgers.Open("run-7", 10, "S127.0.0.1:11111:1"));

        Assert.False(ledgers.CanRecord);
        Assert.Contains("run run-7: sample_ledger is on, but learner silo S127.0.0.1:11111:1 has no cluster database", error.Message);
        await using var opened = new SampleLedger(LoggerFactory.Create(_ => { }), Fast, sink).Open("run-7", 10, "silo");
        Assert.Equal(0, opened.PendingRows);
    }

    static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the awaited condition did not hold within 30 s.");
            await Task.Delay(10);
        }
    }
}
