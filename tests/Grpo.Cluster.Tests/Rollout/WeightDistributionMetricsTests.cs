using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpo.Core.Checkpoints;
using Grpo.Grains.Learning;
using Grpo.Grains.Rollout;
using Grpo.Grains.Telemetry;

namespace Grpo.Cluster.Tests.Rollout;

/// <summary>
/// The weight distribution instruments: what a relay serves, and how pulls end. Each test uses a run id of its own, so
/// measurements of tests running alongside in this process are told apart by their grpo.run tag.
/// </summary>
public sealed class WeightDistributionMetricsTests
{
    [Fact]
    public async Task A_relay_counts_the_bytes_it_serves_under_the_relay_source()
    {
        var runId = "relay-metrics-" + Guid.NewGuid().ToString("N");
        using var measured = new WeightMeasurements(runId);
        var image = WeightImage.Copy([1, 2, 3, 4, 5, 6, 7], segmentBytes: 3);
        var manifest = new WeightPublication().Publish(1, image);
        var relay = new SiloWeightRelay("silo-a");
        relay.Begin(runId, manifest);
        for (var index = 0; index < image.Segments.Count; index++) relay.Landed(runId, manifest, index, image.Segments[index]);

        await relay.ServeAsync(runId, 1, manifest.Sha256, 0);
        await relay.ServeAsync(runId, 1, manifest.Sha256, 2);
        await Assert.ThrowsAsync<InvalidOperationException>(() => relay.ServeAsync(runId, 2, manifest.Sha256, 0));

        Assert.Equal(3 + 1, measured.Sum("grpo.weights.served_bytes", GrpoMetrics.SourceTag, GrpoMetrics.WeightSources.Relay));
        Assert.Equal(0, measured.Sum("grpo.weights.served_bytes", GrpoMetrics.SourceTag, GrpoMetrics.WeightSources.Learner));
    }

    [Fact]
    public async Task A_verified_pull_and_each_failed_attempt_are_counted_by_outcome()
    {
        var runId = "pull-metrics-" + Guid.NewGuid().ToString("N");
        using var measured = new WeightMeasurements(runId);
        var good = new FakeWeightSource(chunkBytes: 4);
        good.Publish(runId, 1, [.. Enumerable.Range(0, 10).Select(value => (byte)value)]);
        var damaged = new FakeWeightSource(chunkBytes: 4) { Tamper = (_, index, chunk) => index == 1 ? [.. chunk.Select(value => (byte)~value)] : chunk };
        damaged.Publish(runId, 2, [.. Enumerable.Range(0, 10).Select(value => (byte)value)]);

        var pulled = await new WeightPuller(good, parallelism: 2).PullAsync(runId, 1, TimeSpan.FromSeconds(5), loaded: null, CancellationToken.None);
        await Assert.ThrowsAsync<InvalidDataException>(() =>
            new WeightPuller(damaged, parallelism: 2).PullAsync(runId, 2, TimeSpan.FromSeconds(5), loaded: null, CancellationToken.None));

        Assert.Equal(1, pulled!.Version);
        Assert.Equal(1, measured.Sum("grpo.weights.pulls", GrpoMetrics.OutcomeTag, GrpoMetrics.PullOutcomes.Verified));
        // The damaged image is pulled twice (the retry of a failed check) and fails both times.
        Assert.Equal(2, measured.Sum("grpo.weights.pulls", GrpoMetrics.OutcomeTag, GrpoMetrics.PullOutcomes.Failed));
    }

    [Fact]
    public async Task A_pull_the_engine_called_off_is_not_counted_as_failed()
    {
        var runId = "pull-cancel-" + Guid.NewGuid().ToString("N");
        using var measured = new WeightMeasurements(runId);
        var source = new FakeWeightSource(chunkBytes: 4);
        source.Publish(runId, 1, [1, 2, 3, 4, 5]);
        using var stop = new CancellationTokenSource();
        var stalled = new StalledChunks(source);

        var pull = new WeightPuller(stalled, parallelism: 1).PullAsync(runId, 1, TimeSpan.FromSeconds(5), loaded: null, stop.Token);
        await stalled.Asked.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pull);
        Assert.Equal(0, measured.Sum("grpo.weights.pulls", GrpoMetrics.OutcomeTag, GrpoMetrics.PullOutcomes.Failed));
        Assert.Equal(0, measured.Sum("grpo.weights.pulls", GrpoMetrics.OutcomeTag, GrpoMetrics.PullOutcomes.Verified));
    }

    /// <summary>Manifests from the inner source; every chunk request waits until the pull is cancelled.</summary>
    sealed class StalledChunks(FakeWeightSource inner) : IWeightSource
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Abstractions.Contracts.WeightManifest> GetManifestAsync(string runId, long minVersion, TimeSpan maxWait, CancellationToken cancellationToken) =>
            inner.GetManifestAsync(runId, minVersion, maxWait, cancellationToken);

        public async Task<byte[]> GetChunkAsync(string runId, long version, int index, CancellationToken cancellationToken)
        {
            Asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable: the delay only ends by cancellation.");
        }
    }

    /// <summary>The grpo.weights.* measurements tagged with one run.</summary>
    sealed class WeightMeasurements : IDisposable
    {
        readonly MeterListener listener = new();
        readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)> values = new();

        public WeightMeasurements(string runId)
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GrpoMetrics.MeterName && instrument.Name.StartsWith("grpo.weights.", StringComparison.Ordinal))
                    l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var copied = new Dictionary<string, object?>();
                foreach (var tag in tags) copied[tag.Key] = tag.Value;
                if (Equals(copied.GetValueOrDefault(GrpoMetrics.RunTag), runId)) values.Enqueue((instrument.Name, value, copied));
            });
            listener.Start();
        }

        public long Sum(string instrument, string tag, string value) =>
            values.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault(tag), value)).Sum(m => m.Value);

        public void Dispose() => listener.Dispose();
    }
}
