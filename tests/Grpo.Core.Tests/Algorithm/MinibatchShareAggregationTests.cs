using Grpo.Core.Algorithm;
using TorchSharp;
using static Grpo.Core.Tests.Algorithm.TestTensors;

namespace Grpo.Core.Tests.Algorithm;

/// <summary>
/// Given the minibatch's counts, each aggregation's micro-batch losses add up to the minibatch loss. Minibatch of three
/// completions: micro-batch A holds per-token losses [1, 2] (2 tokens), B holds [3] and [4, 5, 6] (1 and 3 tokens);
/// 6 tokens, sum 21.
/// </summary>
public sealed class MinibatchShareAggregationTests
{
    static readonly double[,] LossA = { { 1, 2, 0 } };
    static readonly double[,] MaskA = { { 1, 1, 0 } };
    static readonly double[,] LossB = { { 3, 0, 0 }, { 4, 5, 6 } };
    static readonly double[,] MaskB = { { 1, 0, 0 }, { 1, 1, 1 } };

    // grpo: (1.5 + 3 + 5) / 3, as 1.5 / 3 + (3 + 5) / 3. bnpo/dapo: 21 / 6, as 3 / 6 + 18 / 6. dr_grpo with a budget of 4:
    // 21 / (3 · 4), as 3 / 12 + 18 / 12.
    [Theory]
    [InlineData("grpo", 1.5 / 3, 8.0 / 3, 9.5 / 3)]
    [InlineData("token_mean", 3.0 / 6, 18.0 / 6, 21.0 / 6)]
    [InlineData("dr_grpo", 3.0 / 12, 18.0 / 12, 21.0 / 12)]
    public void Micro_batch_shares_add_up_to_the_minibatch_loss(string aggregationName, double expectedA, double expectedB, double expectedWhole)
    {
        ILossAggregation aggregation = aggregationName switch
        {
            "grpo" => new GrpoAggregation(),
            "token_mean" => new TokenMeanAggregation(),
            _ => new DrGrpoAggregation(),
        };
        var totals = new MinibatchTotals(Completions: 3, Tokens: 6);

        var shareA = Aggregate(aggregation, LossA, MaskA, totals);
        var shareB = Aggregate(aggregation, LossB, MaskB, totals);
        var whole = Aggregate(aggregation, new double[,] { { 1, 2, 0 }, { 3, 0, 0 }, { 4, 5, 6 } }, new double[,] { { 1, 1, 0 }, { 1, 0, 0 }, { 1, 1, 1 } }, minibatch: null);

        Assert.Equal(expectedA, shareA, 6);
        Assert.Equal(expectedB, shareB, 6);
        Assert.Equal(expectedWhole, whole, 6);
        Assert.Equal(whole, shareA + shareB, 6);
    }

    // Runs without micro-batches must train exactly as before grpo divided by the minibatch's count instead of taking a mean.
    [Fact]
    public void Without_minibatch_totals_grpo_is_the_mean_over_completions_bit_for_bit()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var loss = torch.randn(37, 11);
        var mask = torch.rand(37, 11).gt(0.3).to_type(torch.ScalarType.Float32);
        var masked = loss * mask;
        var lengths = mask.sum(-1);

        var aggregated = new GrpoAggregation().Aggregate(new LossAggregationInputs(masked, mask, lengths, MaxCompletionTokens: 0)).item<float>();
        var mean = (masked.sum(-1) / lengths.clamp_min(1.0)).mean().item<float>();

        Assert.Equal(BitConverter.SingleToInt32Bits(mean), BitConverter.SingleToInt32Bits(aggregated));
    }

    [Fact]
    public void Minibatch_totals_smaller_than_the_micro_batch_are_refused()
    {
        using var loss = Matrix(LossB);
        using var mask = Matrix(MaskB);
        using var advantages = Vector([1, -1]);
        var error = Assert.Throws<ArgumentException>(() => GrpoObjective.Compute(
            loss, loss, null, mask, advantages, new GrpoOptions { Beta = 0 }, new MinibatchTotals(Completions: 1, Tokens: 4)));
        Assert.Contains("MinibatchTotals.Completions is 1, fewer than the 2 completions of this micro-batch", error.Message);
    }

    static double Aggregate(ILossAggregation aggregation, double[,] maskedLoss, double[,] mask, MinibatchTotals? minibatch)
    {
        using var scope = torch.NewDisposeScope();
        var lossTensor = Matrix(maskedLoss);
        var maskTensor = Matrix(mask);
        var inputs = new LossAggregationInputs(lossTensor, maskTensor, maskTensor.sum(-1), MaxCompletionTokens: 4, minibatch?.Completions, minibatch?.Tokens);
        return aggregation.Aggregate(inputs).item<float>();
    }
}
