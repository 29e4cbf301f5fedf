namespace Grpo.Integration.Tests.TestGrains;

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }
}
