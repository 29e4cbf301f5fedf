using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>Teacher-forced log-probabilities of completions, as the learner needs them (with gradient).</summary>
public static class SequenceLogProbs
{
    /// <summary>
    /// Runs one masked forward over [prompt | completion] rows, prompts left-padded and completions right-padded so every
    /// completion starts at the same column, and returns log_softmax(logits / temperature) at each completion token,
    /// [N, maxCompletionLength] float32 (0 at padding), plus the 1/0 float32 mask of real completion tokens.
    /// temperature &lt;= 0 means 1, matching the log-probs <c>Generator</c> records for greedy decoding.
    /// Only the completion slice is projected to the vocabulary, so the full [N, T, V] logits are never materialised.
    /// With <paramref name="chunkTokens"/> &gt; 0 only the real completion tokens are projected, that many at a time, and
    /// backward recomputes each chunk's logits (<see cref="ChunkedTokenLogProbs"/>), so not even [N, Tc, V] exists;
    /// 0 or less projects the whole completion slice at once and keeps its logits for backward. (The chunked path keeps a
    /// float64 model's log-probs in float64, so they can be checked against finite differences.)
    /// </summary>
    public static (Tensor LogProbs, Tensor Mask) Completions(
        CausalLM model, IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> completions, float temperature, int padTokenId, int chunkTokens = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(completions);
        if (prompts.Count != completions.Count)
            throw new ArgumentException($"prompts has {prompts.Count} rows but completions has {completions.Count}", nameof(completions));
        if (prompts.Count == 0)
            throw new ArgumentException("prompts must contain at least one row", nameof(prompts));
        var vocab = model.Config.VocabSize;
        CheckTokens(prompts, nameof(prompts), vocab, allowEmpty: false);
        CheckTokens(completions, nameof(completions), vocab, allowEmpty: true);
        if (padTokenId < 0 || padTokenId >= vocab)
            throw new ArgumentOutOfRangeException(nameof(padTokenId), padTokenId, $"padTokenId must be in [0, {vocab})");

        var rows = prompts.Count;
        var promptWidth = prompts.Max(p => p.Length);
        var completionWidth = completions.Max(c => c.Length);
        var device = DeviceOf(model);
        if (completionWidth == 0)
            return (zeros([rows, 0], ScalarType.Float32, device), zeros([rows, 0], ScalarType.Float32, device));

        var width = promptWidth + completionWidth;
        var ids = new long[rows * width];
        var mask = new long[rows * width];
        var targets = new long[rows * completionWidth];
        var completionMask = new float[rows * completionWidth];
        Array.Fill(ids, padTokenId);
        Array.Fill(targets, padTokenId);
        for (var r = 0; r < rows; r++)
        {
            var prompt = prompts[r];
            var start = r * width + promptWidth - prompt.Length;
            for (var i = 0; i < prompt.Length; i++) { ids[start + i] = prompt[i]; mask[start + i] = 1; }
            var completion = completions[r];
            for (var i = 0; i < completion.Length; i++)
            {
                ids[r * width + promptWidth + i] = completion[i];
                mask[r * width + promptWidth + i] = 1;
                targets[r * completionWidth + i] = completion[i];
                completionMask[r * completionWidth + i] = 1f;
            }
        }

        using var scope = NewDisposeScope();
        var idTensor = tensor(ids, [rows, width], device: device);
        var maskTensor = tensor(mask, [rows, width], device: device);
        var hidden = model.HiddenStates(idTensor, maskTensor);
        // The token at column promptWidth + j is predicted by the hidden state one column earlier.
        var predicting = hidden.narrow(1, promptWidth - 1, completionWidth);
        if (chunkTokens > 0)
        {
            var chunked = ChunkedRealTokens(model, predicting, targets, completionMask, temperature, chunkTokens);
            var chunkedMask = tensor(completionMask, [rows, completionWidth], device: device);
            return (chunked.MoveToOuterDisposeScope(), chunkedMask.MoveToOuterDisposeScope());
        }
        var logits = model.Project(predicting).to_type(ScalarType.Float32);
        if (temperature > 0 && temperature != 1f) logits = logits / temperature;
        var logProbs = nn.functional.log_softmax(logits, -1);
        var targetTensor = tensor(targets, [rows, completionWidth], device: device);
        var maskOut = tensor(completionMask, [rows, completionWidth], device: device);
        var picked = logProbs.gather(2, targetTensor.unsqueeze(-1)).squeeze(-1) * maskOut;
        return (picked.MoveToOuterDisposeScope(), maskOut.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Log-probs of the real completion tokens only (padding is neither projected nor back-propagated), scattered back into
    /// [N, Tc] with zeros at padding, as the unchunked path's masking leaves them.
    /// </summary>
    static Tensor ChunkedRealTokens(CausalLM model, Tensor predicting, long[] targets, float[] completionMask, float temperature, int chunkTokens)
    {
        var rows = predicting.shape[0];
        var width = predicting.shape[1];
        var device = predicting.device;
        var real = Enumerable.Range(0, completionMask.Length).Where(i => completionMask[i] != 0f).Select(i => (long)i).ToArray();
        var realIndex = tensor(real, device: device);
        var realTargets = tensor(real.Select(i => targets[i]).ToArray(), device: device);
        var realHidden = predicting.reshape(rows * width, predicting.shape[2]).index_select(0, realIndex);
        var picked = ChunkedTokenLogProbs.Compute(realHidden, model.OutputWeight, realTargets, temperature > 0 ? temperature : 1.0, chunkTokens);
        return zeros([rows * width], picked.dtype, device).index_copy(0, realIndex, picked).reshape(rows, width);
    }

    static Device DeviceOf(CausalLM model) => model.parameters().First().device;

    static void CheckTokens(IReadOnlyList<int[]> rows, string name, int vocab, bool allowEmpty)
    {
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r] ?? throw new ArgumentException($"{name}[{r}] is null", name);
            if (!allowEmpty && row.Length == 0)
                throw new ArgumentException($"{name}[{r}] is empty; every prompt needs at least one token to predict the first completion token", name);
            for (var i = 0; i < row.Length; i++)
                if (row[i] < 0 || row[i] >= vocab)
                    throw new ArgumentException($"{name}[{r}][{i}] = {row[i]} is outside the vocabulary [0, {vocab})", name);
        }
    }
}
