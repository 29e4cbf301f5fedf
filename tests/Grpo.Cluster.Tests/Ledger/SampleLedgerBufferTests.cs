using Grpo.Grains.Ledger;

namespace Grpo.Cluster.Tests.Ledger;

public sealed class SampleLedgerBufferTests
{
    [Fact]
    public void Take_returns_whole_steps_oldest_first_up_to_the_batch_size_and_at_least_one()
    {
        var buffer = new SampleLedgerBuffer(100);
        buffer.Add(LedgerTestRows.Step(0, 4));
        buffer.Add(LedgerTestRows.Step(1, 4));
        buffer.Add(LedgerTestRows.Step(2, 4));

        var first = buffer.Take(9);
        var oversized = buffer.Take(2);

        Assert.Equal([0L, 1L], first.Select(s => s.Step));
        Assert.Equal([2L], oversized.Select(s => s.Step));
        Assert.Empty(buffer.Take(10));
        Assert.Equal(0, buffer.Rows);
    }

    [Fact]
    public void A_step_beyond_the_bound_drops_the_oldest_steps_and_counts_their_rows()
    {
        var buffer = new SampleLedgerBuffer(10);
        Assert.Equal(0, buffer.Add(LedgerTestRows.Step(0, 4)));
        Assert.Equal(0, buffer.Add(LedgerTestRows.Step(1, 4)));

        var dropped = buffer.Add(LedgerTestRows.Step(2, 4));
        var droppedAgain = buffer.Add(LedgerTestRows.Step(3, 6));
        var droppedTwoSteps = buffer.Add(LedgerTestRows.Step(4, 10));

        Assert.Equal(4, dropped);
        Assert.Equal(4, droppedAgain);
        Assert.Equal(10, droppedTwoSteps);
        Assert.Equal(18, buffer.DroppedRows);
        Assert.Equal((0L, 3L), buffer.DroppedSteps);
        Assert.Equal(10, buffer.Rows);
        Assert.Equal([4L], buffer.Take(100).Select(s => s.Step));
    }

    [Fact]
    public void A_step_larger_than_the_bound_is_kept_alone()
    {
        var buffer = new SampleLedgerBuffer(3);
        buffer.Add(LedgerTestRows.Step(0, 2));

        Assert.Equal(2, buffer.Add(LedgerTestRows.Step(1, 5)));
        Assert.Equal(5, buffer.Rows);
        Assert.Equal([1L], buffer.Take(1).Select(s => s.Step));
    }

    [Fact]
    public void A_step_recorded_again_before_it_was_written_replaces_the_waiting_one()
    {
        var buffer = new SampleLedgerBuffer(100);
        buffer.Add(LedgerTestRows.Step(4, 4));
        buffer.Add(LedgerTestRows.Step(5, 4));

        buffer.Add(LedgerTestRows.Step(4, 6));

        var waiting = buffer.Take(100);
        Assert.Equal([5L, 4L], waiting.Select(s => s.Step));
        Assert.Equal(6, waiting[1].Count);
        Assert.Equal(0, buffer.DroppedRows);
    }

    [Fact]
    public void An_empty_step_is_not_buffered_and_a_bound_below_one_is_refused()
    {
        var buffer = new SampleLedgerBuffer(1);
        Assert.Equal(0, buffer.Add(new LedgerStep("r", 0, [])));
        Assert.Empty(buffer.Take(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SampleLedgerBuffer(0));
    }
}
