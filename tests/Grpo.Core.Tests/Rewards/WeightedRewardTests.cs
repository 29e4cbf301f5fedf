using Grpo.Core.Rewards;

namespace Grpo.Core.Tests.Rewards;

public sealed class WeightedRewardTests
{
    private sealed class ConstantReward(string name, float value, TaskCompletionSource? gate = null) : IRewardFunction
    {
        public string Name => name;

        public async ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default)
        {
            if (gate is not null)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            return value;
        }
    }

    [Fact]
    public async Task TotalIsWeightedSumAndBreakdownHasEachScore()
    {
        var reward = new WeightedReward([
            (new ExactMatchReward(), 1.0f),
            (new FormatReward(@"^\d+$", score: 1f), 0.5f),
            (new ConstantReward("bonus", 0.2f), -2f),
        ]);

        var breakdown = await reward.ScoreWithBreakdownAsync(new RewardInput("1+1=", "2", "2"));

        // 1·1 + 0.5·1 + (-2)·0.2 = 1.1
        Assert.Equal(1.1f, breakdown.Total, 5);
        Assert.Equal(1f, breakdown.Scores["exact_match"]);
        Assert.Equal(1f, breakdown.Scores["format"]);
        Assert.Equal(0.2f, breakdown.Scores["bonus"]);
        Assert.Equal(1.1f, await reward.ScoreAsync(new RewardInput("1+1=", "2", "2")), 5);

        var wrong = await reward.ScoreWithBreakdownAsync(new RewardInput("1+1=", "3", "2"));
        Assert.Equal(0.5f - 0.4f, wrong.Total, 5);
        Assert.Equal(0f, wrong.Scores["exact_match"]);
    }

    [Fact]
    public async Task FunctionsRunConcurrently()
    {
        // The first function waits for a gate that only the second one's start would release if run in sequence,
        // so a sequential implementation would never finish; a concurrent one completes once the gate opens.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reward = new WeightedReward([(new ConstantReward("slow", 1f, gate), 1f), (new ConstantReward("fast", 2f), 1f)]);

        var scoring = reward.ScoreWithBreakdownAsync(new RewardInput("p", "c", null));
        Assert.False(scoring.IsCompleted);
        gate.SetResult();

        Assert.Equal(3f, (await scoring.WaitAsync(TimeSpan.FromSeconds(5))).Total);
    }

    [Fact]
    public void RejectsEmptyDuplicateAndNonFiniteWeights()
    {
        Assert.Throws<ArgumentException>(() => new WeightedReward([]));
        var duplicate = Assert.Throws<ArgumentException>(() => new WeightedReward([(new ExactMatchReward(), 1f), (new ExactMatchReward(), 1f)]));
        Assert.Contains("exact_match", duplicate.Message);
        var nan = Assert.Throws<ArgumentException>(() => new WeightedReward([(new ExactMatchReward(), float.NaN)]));
        Assert.Contains("components[0]", nan.Message);
    }
}
