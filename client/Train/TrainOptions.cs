namespace Grpo.Client.Train;

/// <summary>The values of <c>grpo train</c> exactly as typed; <see cref="TrainArguments.Resolve"/> turns them into a run.</summary>
public sealed record TrainOptions
{
    public string? ConfigPath { get; init; }
    public IReadOnlyList<string> Overrides { get; init; } = [];
    public string? OutputDirectory { get; init; }
    public int? Seed { get; init; }
    public string? RunId { get; init; }
}
