using Grpo.Abstractions.Contracts;

namespace Grpo.Grains.Runs;

/// <summary>The run registry's durable state: the latest status each run reported, by run id.</summary>
[GenerateSerializer, Alias("grpo.RunRegistryRecord")]
public sealed class RunRegistryRecord
{
    [Id(0)] public Dictionary<string, RunStatus> Runs { get; set; } = new(StringComparer.Ordinal);
}
