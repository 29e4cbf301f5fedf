namespace Grpo.Abstractions.Contracts;

/// <summary>What asking a run to resume did.</summary>
public enum ResumeOutcome
{
    /// <summary>No run has this id.</summary>
    Unknown,

    /// <summary>The run continues from its learner's newest state (a live learner, else the last checkpoint).</summary>
    Resumed,

    /// <summary>The run was still running; nothing changed (a pending stop request is withdrawn).</summary>
    AlreadyRunning,

    /// <summary>The run completed; there is nothing left to run.</summary>
    Completed,

    /// <summary>The run failed for a reason a resume cannot fix (its configuration or the training itself).</summary>
    NotResumable,
}

[GenerateSerializer, Immutable, Alias("grpo.RunResumption")]
public sealed record RunResumption([property: Id(0)] ResumeOutcome Outcome, [property: Id(1)] RunStatus Status)
{
    /// <summary>Where the learner continues from, when the run was resumed and its learner could be asked.</summary>
    [Id(2)] public LearnerResumePoint? LearnerStart { get; init; }
}
