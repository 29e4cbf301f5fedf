using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Generation;

/// <summary>
/// Batched, KV-cached autoregressive sampling: prompts are left-padded into one batch, prefilled once, then every
/// decoding step is a single one-token forward for the whole batch. Finished rows keep feeding the pad token (masked
/// out) until every row is done. <paramref name="decode"/> turns completion tokens into text and is needed only
/// for stop strings.
/// Rows with identical prompts (the G samples of a GRPO group) share one prefill: each distinct prompt is run through
/// the model once and its keys/values are copied to every row that samples from it. <paramref name="sharePromptPrefill"/>
/// = false prefills every row on its own (the reference the shared path is checked against).
/// </summary>
public sealed class Generator(CausalLM model, int padTokenId, Func<IReadOnlyList<int>, string>? decode = null, bool sharePromptPrefill = true)
{
    readonly CausalLM model = model ?? throw new ArgumentNullException(nameof(model));
    long promptsPrefilled;

    /// <summary>Prompt rows run through the model's prefill so far, over all calls: one per distinct prompt of each call when sharing.</summary>
    public long PromptsPrefilled => Interlocked.Read(ref promptsPrefilled);

    /// <summary>Samples from <paramref name="rng"/> (or torch's global stream): the tokens depend on the whole batch's draw order.</summary>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, SamplingOptions options, torch.Generator? rng = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        return Generate(prompts, options, null, (scaled, _) =>
        {
            using var chosen = TokenSampler.Choose(scaled, options, rng);
            return chosen.cpu().data<long>().ToArray();
        });
    }

    /// <summary>
    /// Samples row r from its own stream <paramref name="keys"/>[r] (see <see cref="SampleKey"/>), so a row's tokens do not
    /// depend on the rest of the batch. <paramref name="maxNewTokens"/>, when given, caps each row on its own (1 to
    /// <see cref="SamplingOptions.MaxNewTokens"/>); the batch still runs until its longest row ends.
    /// </summary>
    public IReadOnlyList<GeneratedSequence> Generate(
        IReadOnlyList<int[]> prompts, SamplingOptions options, IReadOnlyList<SampleKey> keys, IReadOnlyList<int>? maxNewTokens = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count != prompts.Count)
            throw new ArgumentException($"keys has {keys.Count} entries for {prompts.Count} prompts; every prompt needs its own key", nameof(keys));
        for (var r = 0; r < keys.Count; r++)
            if (keys[r] is null) throw new ArgumentException($"keys[{r}] is null", nameof(keys));
        var positions = new int[prompts.Count];
        return Generate(prompts, options, maxNewTokens, (scaled, step) =>
        {
            Array.Fill(positions, step);
            return TokenSampler.ChooseKeyed(scaled, options, keys, positions);
        });
    }

    /// <param name="choose">The next token of every row from the scaled logits [B, V] of completion position <c>step</c>.</param>
    IReadOnlyList<GeneratedSequence> Generate(
        IReadOnlyList<int[]> prompts, SamplingOptions options, IReadOnlyList<int>? maxNewTokens, Func<Tensor, int, long[]> choose)
    {
        options.Validate();
        CheckInputs(prompts, options);
        var rowLimits = RowLimits(maxNewTokens, prompts.Count, options);
        if (prompts.Count == 0) return [];

        using var noGrad = no_grad();
        var rows = prompts.Count;
        var promptWidth = prompts.Max(p => p.Length);
        var longest = rowLimits.Max();
        var capacity = promptWidth + longest;
        var device = model.parameters().First().device;
        var stop = new CompletionStop(options, decode);

        var tokens = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();
        var logProbs = Enumerable.Range(0, rows).Select(_ => new List<float>()).ToArray();
        var finish = new FinishReason?[rows];

        using var cache = model.CreateCache(rows, capacity);
        // The whole mask is allocated once; each step passes a view of the filled part.
        using var mask = zeros([rows, capacity], ScalarType.Int64, device).DetachFromDisposeScope();
        Tensor logits;
        using (var prefillScope = NewDisposeScope())
        {
            var (distinct, sourceRows) = sharePromptPrefill ? DistinctPrompts(prompts) : (prompts, null);
            var (ids, promptMask) = LeftPad(distinct, promptWidth, device);
            if (sourceRows is null)
            {
                mask.narrow(1, 0, promptWidth).copy_(promptMask);
                logits = LastLogits(model.Forward(ids, mask.narrow(1, 0, promptWidth), cache)).DetachFromDisposeScope();
            }
            else
            {
                // Prefill the distinct prompts only, then give each row its prompt's keys, values, mask and last logits.
                using var prefillCache = model.CreateCache(distinct.Count, promptWidth);
                var distinctLogits = LastLogits(model.Forward(ids, promptMask, prefillCache));
                var rowSource = tensor(sourceRows, [rows], device: device);
                cache.CopyRowsFrom(prefillCache, rowSource);
                mask.narrow(1, 0, promptWidth).copy_(promptMask.index_select(0, rowSource));
                logits = distinctLogits.index_select(0, rowSource).DetachFromDisposeScope();
            }
            Interlocked.Add(ref promptsPrefilled, distinct.Count);
        }

        try
        {
            for (var step = 0; step < longest; step++)
            {
                using var stepScope = NewDisposeScope();
                var (chosenIds, chosenValues) = ChosenTokens.Pick(logits, options, scaled => choose(scaled, step));

                var next = new long[rows];
                var nextMask = new long[rows];
                for (var r = 0; r < rows; r++)
                {
                    next[r] = padTokenId;
                    if (finish[r] is not null) continue;
                    var token = (int)chosenIds[r];
                    tokens[r].Add(token);
                    logProbs[r].Add(chosenValues[r]);
                    finish[r] = stop.After(tokens[r], token, rowLimits[r]);
                    if (finish[r] is null) { next[r] = token; nextMask[r] = 1; }
                }
                if (finish.All(f => f is not null)) break;

                var filled = promptWidth + step;
                mask.narrow(1, filled, 1).copy_(tensor(nextMask, [rows, 1], device: device));
                var nextLogits = LastLogits(model.Forward(tensor(next, [rows, 1], device: device), mask.narrow(1, 0, filled + 1), cache));
                logits.Dispose();
                logits = nextLogits.DetachFromDisposeScope();
            }
        }
        finally
        {
            logits.Dispose();
        }

        return Enumerable.Range(0, rows)
            .Select(r => new GeneratedSequence(tokens[r].ToArray(), logProbs[r].ToArray(), finish[r] ?? FinishReason.Length))
            .ToArray();
    }

    static int[] RowLimits(IReadOnlyList<int>? maxNewTokens, int rows, SamplingOptions options)
    {
        if (maxNewTokens is null) return Enumerable.Repeat(options.MaxNewTokens, rows).ToArray();
        if (maxNewTokens.Count != rows)
            throw new ArgumentException($"maxNewTokens has {maxNewTokens.Count} entries for {rows} prompts", nameof(maxNewTokens));
        for (var r = 0; r < rows; r++)
            if (maxNewTokens[r] <= 0 || maxNewTokens[r] > options.MaxNewTokens)
                throw new ArgumentException(
                    $"maxNewTokens[{r}] = {maxNewTokens[r]} must be in [1, SamplingOptions.MaxNewTokens = {options.MaxNewTokens}]", nameof(maxNewTokens));
        return [.. maxNewTokens];
    }

    /// <summary>
    /// The distinct prompts in order of first appearance and, per row, the index of its prompt among them; null
    /// indices when every prompt is distinct (nothing to share).
    /// </summary>
    static (IReadOnlyList<int[]> Distinct, long[]? SourceRows) DistinctPrompts(IReadOnlyList<int[]> prompts)
    {
        var firstIndex = new Dictionary<int[], int>(PromptComparer.Instance);
        var distinct = new List<int[]>();
        var sourceRows = new long[prompts.Count];
        for (var r = 0; r < prompts.Count; r++)
        {
            if (!firstIndex.TryGetValue(prompts[r], out var index))
            {
                index = distinct.Count;
                firstIndex[prompts[r]] = index;
                distinct.Add(prompts[r]);
            }
            sourceRows[r] = index;
        }
        return distinct.Count == prompts.Count ? (prompts, null) : (distinct, sourceRows);
    }

    static Tensor LastLogits(Tensor logits) => logits.select(1, logits.shape[1] - 1);

    (Tensor Ids, Tensor Mask) LeftPad(IReadOnlyList<int[]> prompts, int width, Device device)
    {
        var rows = prompts.Count;
        var ids = new long[rows * width];
        var mask = new long[rows * width];
        Array.Fill(ids, padTokenId);
        for (var r = 0; r < rows; r++)
        {
            var start = r * width + width - prompts[r].Length;
            for (var i = 0; i < prompts[r].Length; i++) { ids[start + i] = prompts[r][i]; mask[start + i] = 1; }
        }
        return (tensor(ids, [rows, width], device: device), tensor(mask, [rows, width], device: device));
    }

    void CheckInputs(IReadOnlyList<int[]> prompts, SamplingOptions options)
    {
        var vocab = model.Config.VocabSize;
        if (padTokenId < 0 || padTokenId >= vocab)
            throw new ArgumentException($"padTokenId = {padTokenId} is outside the vocabulary [0, {vocab})", nameof(padTokenId));
        GenerationInputs.CheckOptions(vocab, options, decode);
        for (var r = 0; r < prompts.Count; r++)
            GenerationInputs.CheckPrompt(prompts[r], $"prompts[{r}]", vocab, nameof(prompts));
    }
}
