using Grpo.Abstractions.Contracts;
using Grpo.Grains.Runs;

namespace Grpo.Grains.Steps;

/// <summary>
/// What the step loop needs of the run grain that drives it. The loop calls these on the grain's own turn, so the grain
/// keeps sole charge of its state: its activation, its persistence and when the run stops.
/// </summary>
internal interface IStepLoopHost
{
    string RunId { get; }

    IGrainFactory GrainFactory { get; }

    /// <summary>The run's durable state; the loop changes it in place and has it written with <see cref="SaveAsync"/>.</summary>
    RunRecord Record { get; }

    /// <summary>A stop was asked for, or the activation is going away: the loop starts no further step.</summary>
    bool ShouldStop { get; }

    Task SaveAsync();

    /// <summary>Changes the run's status, writes the record and tells the run registry.</summary>
    Task UpdateStatusAsync(Func<RunStatus, RunStatus> change);
}
