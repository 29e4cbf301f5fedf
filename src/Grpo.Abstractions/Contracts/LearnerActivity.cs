namespace Grpo.Abstractions.Contracts;

/// <summary>
/// The long action a run's learner is busy with (model build, warm-up, evaluation, checkpoint write), for progress
/// displays. <see cref="Total"/> 0 means its length is unknown.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.LearnerActivity")]
public sealed record LearnerActivity(
    [property: Id(0)] string Action,
    [property: Id(1)] long Done,
    [property: Id(2)] long Total);
