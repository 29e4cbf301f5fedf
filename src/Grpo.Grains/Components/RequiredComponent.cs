namespace Grpo.Grains.Components;

/// <summary>A component a run configuration selects: its registry kind ("reward"), name and configuration key ("rewards[1]").</summary>
public sealed record RequiredComponent(string Kind, string Name, string Path);
