using System.Globalization;

namespace Grpo.Core.Tasks;

/// <summary>
/// Every "a op b =" problem over the operand range, shuffled by seed and split into disjoint train and held-out sets.
/// Prompts look like "37+48=" and answers like "85"; score completions with <see cref="Rewards.ExactMatchReward"/>.
/// </summary>
public sealed class ArithmeticTask
{
    private readonly TaskExample[] _train;
    private readonly TaskExample[] _heldOut;

    public ArithmeticTask(ArithmeticTaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        Options = options;

        var problems = new List<TaskExample>();
        foreach (var op in options.Operators)
        {
            for (long a = options.MinOperand; a <= options.MaxOperand; a++)
            {
                for (long b = options.MinOperand; b <= options.MaxOperand; b++)
                {
                    var result = op switch { '+' => a + b, '-' => a - b, _ => a * b };
                    problems.Add(new TaskExample(
                        string.Create(CultureInfo.InvariantCulture, $"{a}{op}{b}="),
                        result.ToString(CultureInfo.InvariantCulture)));
                }
            }
        }
        new SplitMix64(SplitMix64.Mix(options.Seed)).Shuffle(problems);

        var heldOutCount = (int)Math.Round(problems.Count * options.HeldOutFraction, MidpointRounding.AwayFromZero);
        if (heldOutCount >= problems.Count)
        {
            throw new ArgumentException($"HeldOutFraction {options.HeldOutFraction} leaves no training problems out of {problems.Count}.", nameof(options));
        }
        _heldOut = [.. problems.Take(heldOutCount)];
        _train = [.. problems.Skip(heldOutCount)];
    }

    public ArithmeticTaskOptions Options { get; }

    public IReadOnlyList<TaskExample> Train => _train;

    public IReadOnlyList<TaskExample> HeldOut => _heldOut;

    /// <summary>The batch for a training step, in <see cref="TrainingOrder"/> by the options' seed.</summary>
    public IReadOnlyList<TaskExample> Batch(long step, int batchSize) => TrainingOrder.Batch(_train, Options.Seed, step, batchSize);

    private static void Validate(ArithmeticTaskOptions options)
    {
        if (options.MinOperand > options.MaxOperand)
        {
            throw new ArgumentException($"MinOperand {options.MinOperand} is greater than MaxOperand {options.MaxOperand}.", nameof(options));
        }
        if (string.IsNullOrEmpty(options.Operators))
        {
            throw new ArgumentException("Operators is empty; use some of \"+-*\".", nameof(options));
        }
        for (var i = 0; i < options.Operators.Length; i++)
        {
            if (options.Operators[i] is not ('+' or '-' or '*') || options.Operators.IndexOf(options.Operators[i], StringComparison.Ordinal) != i)
            {
                throw new ArgumentException($"Operators \"{options.Operators}\": character '{options.Operators[i]}' at index {i} is not one of \"+-*\" or repeats.", nameof(options));
            }
        }
        if (!(options.HeldOutFraction >= 0 && options.HeldOutFraction < 1))
        {
            throw new ArgumentException($"HeldOutFraction {options.HeldOutFraction} must be in [0, 1).", nameof(options));
        }
        var count = ((long)options.MaxOperand - options.MinOperand + 1) * ((long)options.MaxOperand - options.MinOperand + 1) * options.Operators.Length;
        if (count > 10_000_000)
        {
            throw new ArgumentException($"The operand range [{options.MinOperand}, {options.MaxOperand}] gives {count} problems; at most 10,000,000 are enumerated.", nameof(options));
        }
    }
}
