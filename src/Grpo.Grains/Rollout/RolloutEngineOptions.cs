using System.Security.Cryptography;
using System.Text;
using TorchSharp;

namespace Grpo.Grains.Rollout;

/// <summary>Per-silo settings of a <see cref="RolloutEngine"/>; the batching settings come from each run's configuration.</summary>
public sealed record RolloutEngineOptions
{
    /// <summary>
    /// Mixed into the sampling stream of requests that come without completion coordinates, so two silos never draw the
    /// same stream for them (they would otherwise sample identical completions for identical prompts). Requests with
    /// coordinates (the step loop's) are keyed by the run's seed alone and sample the same completion on any silo.
    /// </summary>
    public ulong SamplingSalt { get; init; }

    /// <summary>How many weight chunks are fetched at the same time.</summary>
    public int PullParallelism { get; init; } = 4;

    /// <summary>
    /// Where the engine's models live and generation runs (the silo's device); the silo checks it is usable at start.
    /// </summary>
    public torch.Device Device { get; init; } = torch.CPU;

    /// <summary>
    /// How long a weight pull waits for a version the learner has not published yet before it settles for the newest. A
    /// healthy run never asks for one (each step asks for a version the learner already has); a request that does is left
    /// over from a lost learner and fails once this has passed, rather than hold up every other request of the engine.
    /// </summary>
    public TimeSpan PolicyWaitLimit { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Name of the engine's torch thread (shows up in debuggers and dumps).</summary>
    public string WorkerName { get; init; } = "grpo-rollout";

    /// <summary>
    /// A test seam, called on the torch thread after every decode iteration with the pull of a pending weight switch (null
    /// when none is pending). A test holds decoding here to fix an interleaving (a request arriving, a pull landing while a
    /// row still decodes) that on a fast machine would otherwise be a race against a few milliseconds of decoding.
    /// </summary>
    internal Action<Task?>? AfterDecodeIteration { get; init; }

    /// <summary>A salt derived from a silo's identity (its address including its generation).</summary>
    public static ulong SaltFor(string siloIdentity)
    {
        ArgumentNullException.ThrowIfNull(siloIdentity);
        return BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(siloIdentity)), 0);
    }

    public void Validate()
    {
        if (PullParallelism <= 0)
            throw new ArgumentException($"RolloutEngineOptions.PullParallelism = {PullParallelism} must be positive", nameof(PullParallelism));
        if (PolicyWaitLimit < TimeSpan.Zero)
            throw new ArgumentException($"RolloutEngineOptions.PolicyWaitLimit = {PolicyWaitLimit} must not be negative", nameof(PolicyWaitLimit));
        if (string.IsNullOrWhiteSpace(WorkerName))
            throw new ArgumentException("RolloutEngineOptions.WorkerName must not be empty", nameof(WorkerName));
    }
}
