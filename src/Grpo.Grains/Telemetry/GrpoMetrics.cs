using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpo.Abstractions.Contracts;
using Grpo.Grains.Rollout;

namespace Grpo.Grains.Telemetry;

/// <summary>
/// Every instrument of the meter <c>Grpo.Orleans</c>, in one place. The code that does the work calls one method here;
/// exporters (OpenTelemetry console or OTLP, or a <see cref="MeterListener"/> in tests) subscribe to the meter by name.
/// Each measurement carries the run id as <c>grpo.run</c>; per-engine instruments carry the engine as <c>grpo.engine</c>,
/// reward components their name as <c>grpo.component</c>. The rollout instruments (<c>grpo.rollout.*</c>) are the
/// autoscaling signal and carry only <c>grpo.engine</c>, whose values are bounded by the engines of a silo: a run label
/// would add a series per run for the life of the process. Which silo a measurement comes from is the scrape target's
/// identity (the pod, for Prometheus), not a label.
/// </summary>
public static class GrpoMetrics
{
    public const string MeterName = "Grpo.Orleans";
    public const string RunTag = "grpo.run";
    public const string PhaseTag = "grpo.phase";
    public const string EngineTag = "grpo.engine";
    public const string ComponentTag = "grpo.component";
    public const string SourceTag = "grpo.source";
    public const string OutcomeTag = "grpo.outcome";

    /// <summary>Who sent policy chunks to another silo, as <see cref="SourceTag"/> of <c>grpo.weights.served_bytes</c>.</summary>
    public static class WeightSources
    {
        /// <summary>The learner grain, from the images it published.</summary>
        public const string Learner = "learner";
        /// <summary>A rollout silo's relay, from the image it pulled.</summary>
        public const string Relay = "relay";
    }

    /// <summary>How a rollout silo's pull of a policy image ended, as <see cref="OutcomeTag"/> of <c>grpo.weights.pulls</c>.</summary>
    public static class PullOutcomes
    {
        /// <summary>Every chunk arrived and the image's SHA-256 matched the manifest.</summary>
        public const string Verified = "verified";
        /// <summary>A chunk could not be fetched or the image failed its checks; it was not loaded.</summary>
        public const string Failed = "failed";
    }

    /// <summary>The parts of a step whose durations <see cref="PhaseDuration"/> reports.</summary>
    public static class Phases
    {
        /// <summary>The step's rollouts, from the first prompt sent out to the last group handed to the learner.</summary>
        public const string Generate = "generate";
        /// <summary>The reward function on one completion.</summary>
        public const string Score = "score";
        /// <summary>The learner's GRPO update (all passes and minibatches).</summary>
        public const string Train = "train";
        /// <summary>Capturing and publishing the new policy version.</summary>
        public const string Publish = "publish";
    }

    static readonly Meter Meter = new(MeterName);

    static readonly Histogram<double> PhaseDuration = Meter.CreateHistogram<double>(
        "grpo.step.phase.duration", "s", "Time of one part of a training step (grpo.phase: generate, score, train, publish).");
    static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("grpo.step.duration", "s", "Wall time of one training step.");
    static readonly Counter<long> StepTokens = Meter.CreateCounter<long>("grpo.step.tokens", "{token}", "Completion tokens generated for trained steps.");
    static readonly Histogram<double> TokensPerSecond = Meter.CreateHistogram<double>(
        "grpo.step.tokens_per_second", "{token}/s", "Completion tokens of a step divided by its generation time.");
    static readonly Histogram<double> Reward = Meter.CreateHistogram<double>("grpo.step.reward", null, "Mean reward of a step's completions.");
    static readonly Histogram<double> RewardComponent = Meter.CreateHistogram<double>(
        "grpo.step.reward.component", null, "Mean unweighted score of one reward component (grpo.component) over a step's completions.");
    static readonly Histogram<double> Kl = Meter.CreateHistogram<double>("grpo.step.kl", null, "Mean KL divergence to the reference policy.");
    static readonly Histogram<double> ClipFraction = Meter.CreateHistogram<double>("grpo.step.clip_fraction", null, "Fraction of tokens whose ratio was clipped.");
    static readonly Histogram<double> PaddingFraction = Meter.CreateHistogram<double>("grpo.step.padding_fraction", null, "Fraction of the learner's forward positions that were padding.");
    static readonly Histogram<double> RolloutLogProbDelta = Meter.CreateHistogram<double>(
        "grpo.step.rollout_logprob_delta", null, "Mean |log-prob difference| between the learner and the rollout on a step's sampled tokens.");
    static readonly Histogram<double> RolloutKl = Meter.CreateHistogram<double>(
        "grpo.step.rollout_kl", null, "Mean k3 estimate of KL(rollout ‖ learner) on a step's sampled tokens.");
    static readonly Histogram<double> RolloutCorrectedFraction = Meter.CreateHistogram<double>(
        "grpo.step.rollout_corrected_fraction", null, "Fraction of a step's tokens the rollout correction truncated or masked out.");
    static readonly Histogram<long> Staleness = Meter.CreateHistogram<long>(
        "grpo.step.staleness", "{version}", "Policy versions between the oldest completion of a step and the policy it trained.");
    static readonly Histogram<double> HeldOutAccuracy = Meter.CreateHistogram<double>("grpo.eval.accuracy", null, "Held-out accuracy of a periodic evaluation.");

    // Weight distribution. Egress of the learner per version is served_bytes{grpo.source=learner} over published_bytes
    // (both per run): about one image with relays, one per pulling silo without.
    static readonly Counter<long> PublishedBytes = Meter.CreateCounter<long>(
        "grpo.weights.published_bytes", "By", "Bytes of the policy images the learner published.");
    static readonly Counter<long> Publications = Meter.CreateCounter<long>(
        "grpo.weights.publications", "{version}", "Policy versions the learner published.");
    static readonly Counter<long> ServedBytes = Meter.CreateCounter<long>(
        "grpo.weights.served_bytes", "By", "Bytes of policy chunks this silo sent to rollout silos (grpo.source: learner, relay).");
    static readonly Counter<long> Pulls = Meter.CreateCounter<long>(
        "grpo.weights.pulls", "{pull}", "Pulls of a policy image by this silo's rollout engine (grpo.outcome: verified, failed).");
    static readonly Counter<long> RelayFailures = Meter.CreateCounter<long>(
        "grpo.weights.relay_failures", "{relay}", "Relays a pull stopped asking because one of their chunks failed (the silo gone, behind, or holding another image).");

    // Engines register themselves while they live; the observable instruments read their counters on each collection.
    static readonly ConcurrentDictionary<RolloutEngine, string> Engines = new();

    static readonly ObservableGauge<int> QueueDepth = Meter.CreateObservableGauge(
        "grpo.rollout.queue_depth", () => Observe(stats => stats.QueueDepth), "{request}", "Requests waiting in a rollout engine.");
    // Busy over capacity is how full a silo's decoding is: near 1 while requests also queue, the silo is saturated.
    static readonly ObservableGauge<int> BusySlots = Meter.CreateObservableGauge(
        "grpo.rollout.busy_slots", () => Observe(stats => stats.BusySlots), "{slot}",
        "Decode slots of a rollout engine taken by requests of the batch being served (decoding, or waiting for its weights).");
    static readonly ObservableGauge<int> SlotCapacity = Meter.CreateObservableGauge(
        "grpo.rollout.slots", () => Observe(stats => stats.SlotCapacity), "{slot}",
        "Decode slots of a rollout engine's batch (its run's rollout_max_batch; the last one's while idle, 0 before the first).");
    static readonly ObservableCounter<long> EngineTokens = Meter.CreateObservableCounter(
        "grpo.rollout.tokens", () => Observe(stats => stats.TokensGenerated), "{token}", "Completion tokens a rollout engine generated.");
    static readonly ObservableCounter<long> EngineBatches = Meter.CreateObservableCounter(
        "grpo.rollout.batches", () => Observe(stats => stats.Admissions), "{batch}", "Admissions of requests to a rollout engine's decoding rows (a round's first batch, or groups joining free slots).");

    // Seconds from a request's arrival at an engine to its admission into the decoding rows: from milliseconds when
    // slots are free to minutes when a silo is overloaded, so the default (millisecond-sized) buckets would not do.
    static readonly Histogram<double> QueueWait = Meter.CreateHistogram(
        "grpo.rollout.queue_wait", "s", "Time a request waited in a rollout engine, from arrival to admission into decoding.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });

    /// <summary>Starts reporting an engine's queue depth and counters under <paramref name="name"/>.</summary>
    public static void Track(RolloutEngine engine, string name) => Engines[engine] = name;

    public static void Untrack(RolloutEngine engine) => Engines.TryRemove(engine, out _);

    /// <summary>Records how long each request waited, from arrival (a <see cref="Stopwatch"/> timestamp) to now, its admission.</summary>
    public static void RecordAdmission(string engine, IEnumerable<long> arrivalTimestamps)
    {
        ArgumentNullException.ThrowIfNull(arrivalTimestamps);
        var now = Stopwatch.GetTimestamp();
        var tag = new KeyValuePair<string, object?>(EngineTag, engine);
        foreach (var arrived in arrivalTimestamps)
            QueueWait.Record(Stopwatch.GetElapsedTime(arrived, now).TotalSeconds, tag);
    }

    /// <summary>One finished step as the run grain records it.</summary>
    public static void RecordStep(string runId, StepMetrics step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var run = new KeyValuePair<string, object?>(RunTag, runId);
        PhaseDuration.Record(step.GenerateSeconds, run, new KeyValuePair<string, object?>(PhaseTag, Phases.Generate));
        StepDuration.Record(step.StepSeconds, run);
        StepTokens.Add(step.GeneratedTokens, run);
        TokensPerSecond.Record(step.TokensPerSecond, run);
        Reward.Record(step.MeanReward, run);
        foreach (var (component, mean) in step.RewardComponents)
            RewardComponent.Record(mean, run, new KeyValuePair<string, object?>(ComponentTag, component));
        Kl.Record(step.MeanKl, run);
        ClipFraction.Record(step.ClipFraction, run);
        PaddingFraction.Record(step.PaddingFraction, run);
        RolloutLogProbDelta.Record(step.RolloutLogProbDelta, run);
        RolloutKl.Record(step.RolloutKl, run);
        RolloutCorrectedFraction.Record(step.RolloutCorrectedFraction, run);
        Staleness.Record(step.MaxStaleness, run);
        if (step.HeldOutAccuracy is { } accuracy) HeldOutAccuracy.Record(accuracy, run);
    }

    /// <summary>Times one part of a step from <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp) to now.</summary>
    public static void RecordPhase(string runId, string phase, long startTimestamp) =>
        PhaseDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
            new KeyValuePair<string, object?>(RunTag, runId), new KeyValuePair<string, object?>(PhaseTag, phase));

    /// <summary>The learner published a policy image of <paramref name="bytes"/>.</summary>
    public static void RecordPublication(string runId, long bytes)
    {
        var run = new KeyValuePair<string, object?>(RunTag, runId);
        PublishedBytes.Add(bytes, run);
        Publications.Add(1, run);
    }

    /// <summary><paramref name="bytes"/> of a policy chunk left this silo, sent by <paramref name="source"/> (see <see cref="WeightSources"/>).</summary>
    public static void RecordServed(string runId, string source, long bytes) =>
        ServedBytes.Add(bytes, new KeyValuePair<string, object?>(RunTag, runId), new KeyValuePair<string, object?>(SourceTag, source));

    /// <summary>A pull of a policy image ended as <paramref name="outcome"/> (see <see cref="PullOutcomes"/>).</summary>
    public static void RecordPull(string runId, string outcome) =>
        Pulls.Add(1, new KeyValuePair<string, object?>(RunTag, runId), new KeyValuePair<string, object?>(OutcomeTag, outcome));

    /// <summary>A pull gave up on one relay and took its chunks from the other holders.</summary>
    public static void RecordRelayFailure(string runId) => RelayFailures.Add(1, new KeyValuePair<string, object?>(RunTag, runId));

    static IEnumerable<Measurement<T>> Observe<T>(Func<RolloutStats, T> read) where T : struct =>
        Engines.Select(engine => new Measurement<T>(read(engine.Key.Stats), new KeyValuePair<string, object?>(EngineTag, engine.Value))).ToArray();
}
