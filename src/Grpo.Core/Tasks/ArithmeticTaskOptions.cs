namespace Grpo.Core.Tasks;

/// <summary>Operand range (inclusive), operator characters from "+-*", held-out share and shuffle seed.</summary>
public sealed record ArithmeticTaskOptions
{
    public int MinOperand { get; init; } = 0;

    public int MaxOperand { get; init; } = 99;

    public string Operators { get; init; } = "+";

    public double HeldOutFraction { get; init; } = 0.1;

    public int Seed { get; init; } = 0;
}
