using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpo.Grains.Telemetry;

namespace Grpo.Cluster.Tests.Telemetry;

/// <summary>The rollout engine's autoscaling instruments, read through a <see cref="MeterListener"/> while a real engine works.</summary>
public sealed class RolloutInstrumentsTests
{
    private sealed record Measured(string Instrument, double Value);

    [Fact]
    public async Task Queue_depth_and_busy_slots_rise_and_fall_tokens_are_counted_and_every_admission_records_its_wait()
    {
        var engineName = "instruments-" + Guid.NewGuid().ToString("N");
        var measured = new ConcurrentQueue<Measured>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GrpoMetrics.MeterName && instrument.Name.StartsWith("grpo.rollout.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
                if (tag.Key == GrpoMetrics.EngineTag && Equals(tag.Value, engineName))
                    measured.Enqueue(new(instrument.Name, value));
        }
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();

        double Latest(string instrument) => measured.Last(m => m.Instrument == instrument).Value;

        listener.RecordObservableInstruments();
        Assert.DoesNotContain(measured, m => m.Instrument == "grpo.rollout.queue_depth");

        double depthWhileWaiting = -1, busyWhileWaiting = -1, slotsWhileWaiting = -1;
        var outcome = await GatedRolloutScenario.RunAsync(engineName,
            whileWaiting: () =>
            {
                listener.RecordObservableInstruments();
                depthWhileWaiting = Latest("grpo.rollout.queue_depth");
                busyWhileWaiting = Latest("grpo.rollout.busy_slots");
                slotsWhileWaiting = Latest("grpo.rollout.slots");
                return Task.CompletedTask;
            },
            whenServed: () =>
            {
                listener.RecordObservableInstruments();
                return Task.CompletedTask;
            });

        Assert.Equal(GatedRolloutScenario.WaitingWhileGated, depthWhileWaiting);
        Assert.Equal(0, Latest("grpo.rollout.queue_depth"));
        Assert.Equal(GatedRolloutScenario.FirstBatch, busyWhileWaiting);
        Assert.Equal(GatedRolloutScenario.FirstBatch, slotsWhileWaiting);
        Assert.Equal(0, Latest("grpo.rollout.busy_slots"));
        Assert.Equal(GatedRolloutScenario.FirstBatch, Latest("grpo.rollout.slots"));
        Assert.Equal(outcome.Outputs.Sum(output => (double)output.Tokens.Length), Latest("grpo.rollout.tokens"));
        Assert.True(Latest("grpo.rollout.tokens") > 0);

        // One wait per request, and none shorter than the time the weights were held back: every request, the first
        // batch's included, is admitted into decoding only after that.
        var waits = measured.Where(m => m.Instrument == "grpo.rollout.queue_wait").Select(m => m.Value).ToArray();
        Assert.Equal(GatedRolloutScenario.Requests, waits.Length);
        Assert.All(waits, seconds => Assert.True(seconds >= outcome.HeldBack.TotalSeconds - 0.001,
            $"a request waited {seconds:F3} s, less than the {outcome.HeldBack.TotalSeconds:F3} s its weights were held back"));
    }

    [Fact]
    public async Task A_disposed_engine_is_no_longer_reported()
    {
        var engineName = "untracked-" + Guid.NewGuid().ToString("N");
        var depths = new ConcurrentQueue<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GrpoMetrics.MeterName && instrument.Name == "grpo.rollout.queue_depth") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == GrpoMetrics.EngineTag && Equals(tag.Value, engineName)) depths.Enqueue(value);
        });
        listener.Start();

        await GatedRolloutScenario.RunAsync(engineName, () => Task.CompletedTask, () =>
        {
            listener.RecordObservableInstruments();
            return Task.CompletedTask;
        });
        Assert.Equal([0], depths);

        listener.RecordObservableInstruments();
        Assert.Equal([0], depths);
    }
}
