using Grpo.Core.Model;
using Grpo.Core.Tasks;
using Grpo.Core.Tokenization;
using Grpo.Core.Training;
using TorchSharp;

namespace Grpo.Core.Tests.Training;

/// <summary>The built-in task with a tiny model, as the demo uses them, sized for tests.</summary>
internal sealed class ArithmeticSetup
{
    public ArithmeticSetup(int maxOperand, int seed)
    {
        Tokenizer = CharTokenizer.ForArithmetic();
        Task = new ArithmeticTask(new ArithmeticTaskOptions { MaxOperand = maxOperand, Seed = seed });
        Codec = new PromptCodec(Tokenizer, Tokenizer.EosId, Tokenizer.BosId);
        torch.manual_seed(seed);
        Policy = new CausalLM(ModelPresets.Tiny(Tokenizer.VocabSize));
    }

    public CharTokenizer Tokenizer { get; }
    public ArithmeticTask Task { get; }
    public PromptCodec Codec { get; }
    public CausalLM Policy { get; }
    public int PadId => Tokenizer.PadId;

    public void WarmUp(int steps, double learningRate, int batchSize = 64)
    {
        using var trainer = new SupervisedTrainer(Policy, new LearningRateSchedule { PeakLearningRate = learningRate }, new AdamWOptions(), 1.0, PadId);
        SupervisedWarmup.Run(trainer, Codec, Task.Train, steps, batchSize, seed: 11);
    }
}
