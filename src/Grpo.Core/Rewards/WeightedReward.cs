namespace Grpo.Core.Rewards;

/// <summary>Combines reward functions as <c>r = Σ w_k r_k</c>, scoring them concurrently.</summary>
public sealed class WeightedReward : IRewardFunction
{
    private readonly IReadOnlyList<(IRewardFunction Function, float Weight)> _components;

    public WeightedReward(IReadOnlyList<(IRewardFunction Function, float Weight)> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        if (components.Count == 0)
        {
            throw new ArgumentException("A weighted reward needs at least one function.", nameof(components));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < components.Count; i++)
        {
            var (function, weight) = components[i];
            if (function is null)
            {
                throw new ArgumentException($"components[{i}].Function is null.", nameof(components));
            }
            if (!float.IsFinite(weight))
            {
                throw new ArgumentException($"components[{i}] ('{function.Name}') has a non-finite weight {weight}.", nameof(components));
            }
            if (!names.Add(function.Name))
            {
                throw new ArgumentException($"components[{i}]: reward name '{function.Name}' is used twice; names key the breakdown.", nameof(components));
            }
        }
        _components = [.. components];
    }

    public string Name => "weighted";

    public IReadOnlyList<(IRewardFunction Function, float Weight)> Components => _components;

    public async ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default) =>
        (await ScoreWithBreakdownAsync(input, cancellationToken).ConfigureAwait(false)).Total;

    public async Task<RewardBreakdown> ScoreWithBreakdownAsync(RewardInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var scores = await Task.WhenAll(_components.Select(c => c.Function.ScoreAsync(input, cancellationToken).AsTask())).ConfigureAwait(false);
        var total = 0f;
        var byName = new Dictionary<string, float>(StringComparer.Ordinal);
        for (var i = 0; i < scores.Length; i++)
        {
            var (function, weight) = _components[i];
            if (!float.IsFinite(scores[i]))
            {
                throw new InvalidOperationException($"Reward function '{function.Name}' returned a non-finite score {scores[i]}.");
            }
            byName[function.Name] = scores[i];
            total += weight * scores[i];
        }
        return new RewardBreakdown(total, byName);
    }
}
