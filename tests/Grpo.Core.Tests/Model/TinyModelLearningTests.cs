using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

public sealed class TinyModelLearningTests
{
    // Vocabulary: digits 0-9, '+' = 10, '=' = 11, pad = 12, eos = 13.
    const int Plus = 10, EqualsSign = 11, Pad = 12, Eos = 13;

    static int[] Digits(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture).Select(c => c - '0').ToArray();

    [Fact]
    public void TinyPresetFitsAdditionExamplesThroughTeacherForcedLogProbs()
    {
        torch.manual_seed(5);
        using var model = new CausalLM(ModelPresets.Tiny(14));
        var pairs = new[] { (12, 35), (47, 8), (60, 29), (91, 91), (3, 4), (55, 45) };
        int[][] prompts = pairs.Select(p => Digits(p.Item1).Append(Plus).Concat(Digits(p.Item2)).Append(EqualsSign).ToArray()).ToArray();
        int[][] answers = pairs.Select(p => Digits(p.Item1 + p.Item2).Append(Eos).ToArray()).ToArray();
        using var optimizer = optim.AdamW(model.parameters(), lr: 3e-3);

        float MeanNll()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var (logProbs, mask) = SequenceLogProbs.Completions(model, prompts, answers, 1f, Pad);
            return (-(logProbs * mask).sum() / mask.sum()).item<float>();
        }

        var before = MeanNll();
        for (var step = 0; step < 80; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var (logProbs, mask) = SequenceLogProbs.Completions(model, prompts, answers, 1f, Pad);
            (-(logProbs * mask).sum() / mask.sum()).backward();
            optimizer.step();
        }
        var after = MeanNll();

        Assert.InRange(before, 2.0f, 3.5f); // about ln(14) = 2.64 at initialisation
        Assert.True(after < 0.1f, $"mean NLL after training {after} (before {before})");

        // The batched, KV-cached generator reproduces the fitted answers and stops on EOS.
        var generated = new Grpo.Core.Generation.Generator(model, Pad).Generate(prompts, new Grpo.Core.Generation.SamplingOptions
        {
            Temperature = 0,
            MaxNewTokens = 5,
            EosTokenIds = [Eos],
        });
        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(answers[i], generated[i].Tokens);
            Assert.Equal(Grpo.Core.Generation.FinishReason.Eos, generated[i].FinishReason);
        }
    }
}
