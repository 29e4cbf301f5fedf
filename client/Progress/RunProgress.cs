using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Progress;

/// <summary>What a progress view shows at one moment: the run's status, its newest step and how long the client has watched.</summary>
/// <param name="LatestSample">The newest sampled prompt, when samples are shown.</param>
/// <param name="Activity">The long action the learner is busy with (warm-up, evaluation, checkpoint write), if any.</param>
public sealed record RunProgress(
    RunStatus Status, StepMetrics? Latest, double? LatestAccuracy, TimeSpan Elapsed, SampledGroup? LatestSample = null, LearnerActivity? Activity = null);
