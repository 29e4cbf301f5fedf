namespace Grpo.Client.Eval;

/// <summary>The values of <c>grpo eval</c> exactly as typed; <see cref="EvalArguments.Resolve"/> checks them.</summary>
public sealed record EvalOptions
{
    public string? CheckpointPath { get; init; }
    public string? ModelPath { get; init; }
    public string? ConfigPath { get; init; }
    public IReadOnlyList<string> Overrides { get; init; } = [];
    public string? DatasetPath { get; init; }
    public IReadOnlyList<int> K { get; init; } = [];
    public int? Samples { get; init; }
    public int? Limit { get; init; }
    public string? OutputPath { get; init; }
    public string? Device { get; init; }
}
