namespace Grpo.Abstractions.Contracts;

/// <summary>
/// Deterministic grain keys: a retried step, prompt or completion lands on the same key, so nothing is counted twice.
/// </summary>
public static class GrainKeys
{
    /// <param name="restart">The run's loop generation: bumped each time the step loop starts again (see the run grain).</param>
    public static string Prompt(string runId, long step, int promptIndex, int restart = 0) =>
        restart == 0 ? $"{runId}/{step}/{promptIndex}" : $"{runId}/{step}/{promptIndex}#restart{restart}";

    /// <param name="attempt">Bumped only when a completion is regenerated because it became too stale to train on.</param>
    public static string Completion(string runId, long step, int promptIndex, int sampleIndex, int attempt = 0) =>
        attempt == 0 ? $"{runId}/{step}/{promptIndex}/{sampleIndex}" : $"{runId}/{step}/{promptIndex}/{sampleIndex}#{attempt}";

    public static string GroupId(long step, int promptIndex) => $"{step}/{promptIndex}";
}
