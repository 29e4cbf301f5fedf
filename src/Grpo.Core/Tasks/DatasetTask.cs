using Grpo.Core.Rewards;

namespace Grpo.Core.Tasks;

/// <summary>
/// A task read from a JSON-lines file: the examples are shuffled once by the seed, the first
/// <c>heldOutSize</c> are kept out of training, and the training prompts of a step are a function of seed and step
/// (one pass over the shuffled data per epoch, reshuffled every epoch), so a retried or resumed step sees the same ones.
/// </summary>
public sealed class DatasetTask
{
    readonly TaskExample[] train;
    readonly TaskExample[] heldOut;
    readonly int seed;

    DatasetTask(TaskExample[] train, TaskExample[] heldOut, int seed) => (this.train, this.heldOut, this.seed) = (train, heldOut, seed);

    public IReadOnlyList<TaskExample> Train => train;

    public IReadOnlyList<TaskExample> HeldOut => heldOut;

    public static DatasetTask Load(string path, string promptField, string answerField, AnswerStyle style, int heldOutSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(heldOutSize);
        var examples = JsonlPromptDataset.Load(path, promptField, answerField, AnswerProblem(style)).ToArray();
        if (examples.Length <= heldOutSize)
            throw new InvalidDataException(
                $"{path}: {examples.Length} examples, and held_out_size {heldOutSize} would leave none for training.");
        new SplitMix64(SplitMix64.Mix(seed, 0x5EED_DA7A)).Shuffle(examples);
        return new DatasetTask(examples[heldOutSize..], examples[..heldOutSize], seed);
    }

    /// <summary>Null when the answer suits the style, else what is wrong with it (completing "field 'answer' ...").</summary>
    public static Func<string, string?> AnswerProblem(AnswerStyle style) => style switch
    {
        AnswerStyle.Gsm8k => answer => AnswerExtractor.Gsm8kAnswer(answer) switch
        {
            null => "has no final answer line \"#### N\" (GSM8K style)",
            var marked when AnswerExtractor.ParseNumber(marked) is null => $"has \"#### {marked}\", which is not a number",
            _ => null,
        },
        AnswerStyle.Boxed => answer => answer.Contains("\\boxed{", StringComparison.Ordinal) && AnswerExtractor.BoxedAnswer(answer) is null
            ? "has a \\boxed{ without its closing brace"
            : answer.Trim().Length == 0 ? "is empty" : null,
        _ => answer => answer.Trim().Length == 0 ? "is empty" : null,
    };

    public IReadOnlyList<TaskExample> Batch(long step, int count)
    {
        var batch = new List<TaskExample>(count);
        var position = checked(step * count);
        long cachedEpoch = -1;
        int[] order = [];
        for (var k = 0; k < count; k++, position++)
        {
            var epoch = position / train.Length;
            if (epoch != cachedEpoch)
            {
                order = Enumerable.Range(0, train.Length).ToArray();
                new SplitMix64(SplitMix64.Mix(seed, epoch)).Shuffle(order);
                cachedEpoch = epoch;
            }
            batch.Add(train[order[position % train.Length]]);
        }
        return batch;
    }
}
