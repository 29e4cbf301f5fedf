namespace Grpo.Client.Eval;

/// <summary>What <c>grpo eval</c> writes to <c>--output</c>: the scores, how they were measured, and every completion.</summary>
/// <param name="PassAtK">pass@k for each requested k, keyed "pass@k".</param>
/// <param name="CheckpointStep">The training step of a learner checkpoint; null for a model directory.</param>
/// <param name="CheckpointWarning">Newer checkpoints passed over because they failed checksum verification, and why; null when none was.</param>
public sealed record EvalReport(
    string Source,
    string SourceKind,
    long? CheckpointStep,
    string Dataset,
    int Problems,
    int SamplesPerProblem,
    float Temperature,
    IReadOnlyDictionary<string, double> PassAtK,
    double MeanReward,
    long GeneratedTokens,
    double Seconds,
    double TokensPerSecond,
    IReadOnlyList<EvalProblem> Results,
    string? CheckpointWarning = null);

/// <param name="Correct">Completions the task's answer check gives full marks (Grpo.Core.Tasks.Correctness), the c of the pass@k estimator.</param>
public sealed record EvalProblem(int Index, string Prompt, string? Answer, int Correct, IReadOnlyList<EvalCompletion> Completions);

public sealed record EvalCompletion(string Text, float Reward, bool Correct, int Tokens, bool Truncated);
