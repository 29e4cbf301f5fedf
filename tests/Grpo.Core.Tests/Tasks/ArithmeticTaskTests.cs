using Grpo.Core.Tasks;

namespace Grpo.Core.Tests.Tasks;

public sealed class ArithmeticTaskTests
{
    private static readonly ArithmeticTaskOptions Small = new() { MinOperand = 0, MaxOperand = 9, Operators = "+-*", HeldOutFraction = 0.2, Seed = 7 };

    [Fact]
    public void EnumeratesEveryProblemOnceWithCorrectAnswers()
    {
        var task = new ArithmeticTask(Small);
        var all = task.Train.Concat(task.HeldOut).ToList();

        Assert.Equal(10 * 10 * 3, all.Count);
        Assert.Equal(all.Count, all.Select(e => e.Prompt).Distinct().Count());
        Assert.Contains(new TaskExample("7+8=", "15"), all);
        Assert.Contains(new TaskExample("3-9=", "-6"), all);
        Assert.Contains(new TaskExample("9*9=", "81"), all);
        foreach (var example in all)
        {
            var op = example.Prompt.IndexOfAny(['+', '-', '*']);
            var a = int.Parse(example.Prompt[..op]);
            var b = int.Parse(example.Prompt[(op + 1)..^1]);
            var expected = example.Prompt[op] switch { '+' => a + b, '-' => a - b, _ => a * b };
            Assert.Equal(expected.ToString(), example.Answer);
        }
    }

    [Fact]
    public void DefaultOptionsGiveTwoDigitAdditionSplitNinetyTen()
    {
        var task = new ArithmeticTask(new ArithmeticTaskOptions());

        Assert.Equal(1000, task.HeldOut.Count);
        Assert.Equal(9000, task.Train.Count);
        Assert.All(task.Train, e => Assert.Contains('+', e.Prompt));
    }

    [Fact]
    public void SplitIsDisjointAndDeterministicBySeed()
    {
        var first = new ArithmeticTask(Small);
        var second = new ArithmeticTask(Small);
        var otherSeed = new ArithmeticTask(Small with { Seed = 8 });

        Assert.Equal(60, first.HeldOut.Count);
        Assert.Empty(first.Train.Select(e => e.Prompt).Intersect(first.HeldOut.Select(e => e.Prompt)));
        Assert.Equal(first.Train, second.Train);
        Assert.Equal(first.HeldOut, second.HeldOut);
        Assert.NotEqual(first.HeldOut, otherSeed.HeldOut);
    }

    [Fact]
    public void BatchDependsOnlyOnStepAndCoversTrainSetEachEpoch()
    {
        var task = new ArithmeticTask(Small);
        var again = new ArithmeticTask(Small);

        Assert.Equal(task.Batch(3, 16), again.Batch(3, 16));
        Assert.NotEqual(task.Batch(3, 16), task.Batch(4, 16));
        Assert.Equal(16, task.Batch(0, 16).Count);

        // 240 training problems = 15 batches of 16: one epoch visits each exactly once.
        var epoch = Enumerable.Range(0, 15).SelectMany(step => task.Batch(step, 16)).ToList();
        Assert.Equal(task.Train.OrderBy(e => e.Prompt), epoch.OrderBy(e => e.Prompt));
        var nextEpoch = Enumerable.Range(15, 15).SelectMany(step => task.Batch(step, 16)).ToList();
        Assert.Equal(task.Train.OrderBy(e => e.Prompt), nextEpoch.OrderBy(e => e.Prompt));
        Assert.NotEqual(epoch, nextEpoch);
        Assert.DoesNotContain(task.Batch(2, 16), e => task.HeldOut.Contains(e));
    }

    [Fact]
    public void BatchCrossingAnEpochBoundaryContinuesIntoTheNextEpoch()
    {
        var task = new ArithmeticTask(Small with { Operators = "+", HeldOutFraction = 0 });

        // 100 problems, batch 30: step 3 covers positions 90..119 = last 10 of epoch 0, first 20 of epoch 1.
        var crossing = task.Batch(3, 30);
        var epoch0 = Enumerable.Range(0, 4).SelectMany(s => task.Batch(s, 25)).ToList();
        var epoch1 = Enumerable.Range(4, 4).SelectMany(s => task.Batch(s, 25)).ToList();

        Assert.Equal(epoch0.Skip(90).Concat(epoch1.Take(20)), crossing);
    }

    [Theory]
    [InlineData(5, 4, "+", 0.1, "MinOperand")]
    [InlineData(0, 9, "", 0.1, "Operators")]
    [InlineData(0, 9, "+/", 0.1, "'/'")]
    [InlineData(0, 9, "++", 0.1, "repeats")]
    [InlineData(0, 9, "+", 1.0, "HeldOutFraction")]
    [InlineData(0, 9, "+", -0.1, "HeldOutFraction")]
    public void RejectsBadOptions(int min, int max, string operators, double heldOut, string expectedInMessage)
    {
        var error = Assert.Throws<ArgumentException>(() => new ArithmeticTask(new ArithmeticTaskOptions
        {
            MinOperand = min, MaxOperand = max, Operators = operators, HeldOutFraction = heldOut,
        }));
        Assert.Contains(expectedInMessage, error.Message);
    }

    [Fact]
    public void SplitMix64MatchesReferenceOutput()
    {
        // First outputs of SplitMix64 seeded with 0, from the reference C implementation (Vigna, prng.di.unimi.it).
        var generator = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, generator.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, generator.Next());
        Assert.Equal(0x06C45D188009454FUL, generator.Next());
    }
}
