using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>A configuration read from a file with where each of its values was written, for errors found later.</summary>
public sealed record LoadedRunConfig(RunConfig Config, RunConfigSource Source);
