using System.Text.Json;
using Grpo.Core.Registries;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;
using Grpo.Core.Tokenization;

namespace Grpo.Core.Tests.Rewards;

/// <summary>The reward registry's built-ins and the training reward built from a configured list of them.</summary>
public sealed class RewardSetTests
{
    static readonly GrpoRegistries Registries = GrpoRegistries.CreateDefault();

    sealed class FixedTask(IRewardFunction answerReward, string formatPattern) : IPromptTask
    {
        public IReadOnlyList<TaskExample> Train { get; } = [new("1+1=", "2")];
        public IReadOnlyList<TaskExample> HeldOut { get; } = [];
        public IReadOnlyList<TaskExample> Batch(long step, int count) => Train;
        public IReadOnlyList<TaskExample> Replacements(long step, int round, int count) => Train;
        public IRewardFunction AnswerReward => answerReward;
        public string FormatPattern => formatPattern;
    }

    /// <summary>A plugin reward whose own name is not the one it is registered under.</summary>
    sealed class MetadataReward : IRewardFunction
    {
        public string Name => "reads_metadata";

        public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(input.Metadata is { } metadata && metadata.TryGetValue("bonus", out var bonus) ? float.Parse(bonus, System.Globalization.CultureInfo.InvariantCulture) : 0f);
    }

    static ComponentServices Services(int maxTokens = 8) => new ComponentServices()
        .With<IPromptTask>(new FixedTask(new ExactMatchReward(), @"\A\d+\z"))
        .With(new CompletionBudget(maxTokens, CharTokenizer.ForArithmetic()));

    static (string, ComponentArguments) Entry(int index, string name, string json = "{}", ComponentServices? services = null) =>
        (name, new ComponentArguments($"rewards[{index}]", JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json), services ?? Services()));

    static float Score(IRewardFunction reward, string completion, string? answer = "2", IReadOnlyDictionary<string, string>? metadata = null) =>
        reward.ScoreAsync(new RewardInput("1+1=", completion, answer, metadata)).AsTask().GetAwaiter().GetResult();

    [Fact]
    public void The_default_registries_hold_every_built_in_reward_with_a_description()
    {
        Assert.Equal(["answer", "exact_match", "format", "http", "length", "math_answer", "numeric_answer"], Registries.Rewards.Names.Order(StringComparer.Ordinal));
        Assert.All(Registries.Rewards.Names, name => Assert.NotEmpty(Registries.Rewards.Describe(name)));
    }

    [Fact]
    public void A_single_reward_at_weight_1_is_that_reward_itself()
    {
        var reward = RewardSet.Build([Entry(0, "answer")], Registries);

        var answer = Assert.IsType<TaskAnswerReward>(reward);
        Assert.IsType<ExactMatchReward>(answer.Check);
        Assert.Equal(1f, Score(reward, "2"));
        Assert.Equal(0f, Score(reward, "3"));
    }

    [Fact]
    public async Task Several_rewards_are_weighted_and_their_breakdown_is_keyed_by_the_configured_names()
    {
        var reward = RewardSet.Build([Entry(0, "answer"), Entry(1, "format", """{"weight": 0.5}"""), Entry(2, "length", """{"weight": 2}""")], Registries);

        var weighted = Assert.IsType<WeightedReward>(reward);
        Assert.Equal([1f, 0.5f, 2f], weighted.Components.Select(c => c.Weight));
        // 8 tokens of budget: no penalty up to 6 characters, -1 from 8 on.
        var breakdown = await weighted.ScoreWithBreakdownAsync(new RewardInput("1+1=", "2 + 3 7", "2"));
        Assert.Equal(new Dictionary<string, float> { ["answer"] = 0f, ["format"] = 0f, ["length"] = -0.5f }, breakdown.Scores);
        Assert.Equal(-1f, breakdown.Total);
        Assert.Equal(1.5f, await weighted.ScoreAsync(new RewardInput("1+1=", "2", "2")));
    }

    [Fact]
    public void Answer_checks_can_be_used_directly_whatever_the_task()
    {
        Assert.Equal(1f, Score(RewardSet.Build([Entry(0, "exact_match")], Registries), " 2 "));
        Assert.Equal(1f, Score(RewardSet.Build([Entry(0, "numeric_answer")], Registries), "so 2.0", "#### 2"));
        Assert.Equal(0f, Score(RewardSet.Build([Entry(0, "numeric_answer")], Registries), "so 3", "#### 2"));
        Assert.Equal(1f, Score(RewardSet.Build([Entry(0, "math_answer")], Registries), @"\boxed{\dfrac{1}{2}}", @"\frac{1}{2}"));
        Assert.Equal(0f, Score(RewardSet.Build([Entry(0, "math_answer")], Registries), @"\boxed{x}", "y"));
    }

    [Fact]
    public void Format_defaults_to_the_tasks_pattern_and_takes_its_own()
    {
        var taskPattern = RewardSet.Build([Entry(0, "format")], Registries);
        Assert.Equal(1f, Score(taskPattern, "42"));
        Assert.Equal(0f, Score(taskPattern, "42 apples"));

        var own = RewardSet.Build([Entry(0, "format", """{"pattern": "apples?"}""")], Registries);
        Assert.Equal(1f, Score(own, "42 apples"));
        var full = RewardSet.Build([Entry(0, "format", """{"pattern": "apples?", "full_match": true}""")], Registries);
        Assert.Equal(0f, Score(full, "42 apples"));
        Assert.Equal(1f, Score(full, "apple"));
    }

    [Fact]
    public void Length_is_dapos_soft_overlong_penalty_over_the_last_quarter_of_the_budget()
    {
        var length = RewardSet.Build([Entry(0, "length", services: Services(maxTokens: 40))], Registries);
        Assert.Equal(0f, Score(length, new string('1', 30)));
        Assert.Equal(-0.5f, Score(length, new string('1', 35)));
        Assert.Equal(-1f, Score(length, new string('1', 40)));
        Assert.Equal(-1f, Score(length, new string('1', 55)));
    }

    [Fact]
    public void A_reward_registered_under_another_name_is_scored_and_keyed_by_the_configured_name()
    {
        var registries = GrpoRegistries.CreateDefault();
        registries.Rewards.Add<MetadataReward>("bonus");

        var reward = Assert.IsType<WeightedReward>(RewardSet.Build([Entry(0, "bonus", """{"weight": 2}"""), Entry(1, "answer")], registries));

        Assert.Equal(["bonus", "answer"], reward.Components.Select(c => c.Function.Name));
        Assert.Equal(2 * 0.25f + 1f, Score(reward, "2", metadata: new Dictionary<string, string> { ["bonus"] = "0.25" }));
    }

    [Fact]
    public void An_unknown_reward_is_refused_with_the_registered_names()
    {
        var error = Assert.Throws<ComponentException>(() => RewardSet.Build([Entry(0, "answer"), Entry(1, "lenght")], Registries));
        Assert.Equal("rewards[1]", error.Path);
        Assert.Equal($"'lenght' is not a registered reward; did you mean 'length'? (known: {string.Join(", ", Registries.Rewards.Names)})", error.Problem);
    }

    [Theory]
    [InlineData("format", """{"weight": "high"}""", "rewards[0].weight", "expected a number (default 1)")]
    [InlineData("format", """{"weight": 1e300}""", "rewards[0].weight", "too large for a float weight")]
    [InlineData("format", """{"patern": "x"}""", "rewards[0].patern", "did you mean 'pattern'? (it takes full_match, pattern, weight)")]
    [InlineData("format", """{"pattern": "(unclosed"}""", "rewards[0].pattern", "is not a valid regular expression")]
    [InlineData("exact_match", """{"tolerance": 0.1}""", "rewards[0].tolerance", "is not a parameter of reward 'exact_match'; (it takes weight)")]
    public void Bad_parameters_are_named_by_their_key(string name, string json, string path, string problem)
    {
        var error = Assert.Throws<ComponentException>(() => RewardSet.Build([Entry(0, name, json)], Registries));
        Assert.Equal(path, error.Path);
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void The_same_reward_twice_no_reward_and_only_zero_weights_are_refused()
    {
        var twice = Assert.Throws<ComponentException>(() => RewardSet.Build([Entry(0, "answer"), Entry(1, "format"), Entry(2, "answer", """{"weight": 2}""")], Registries));
        Assert.Equal("rewards[2]", twice.Path);
        Assert.Contains("reward 'answer' is already listed at rewards[0]", twice.Problem);

        Assert.Equal("rewards", Assert.Throws<ComponentException>(() => RewardSet.Build([], Registries)).Path);

        var zero = Assert.Throws<ComponentException>(() => RewardSet.Build([Entry(0, "answer", """{"weight": 0}"""), Entry(1, "format", """{"weight": 0}""")], Registries));
        Assert.Equal("rewards", zero.Path);
        Assert.Contains("every reward has weight 0", zero.Problem);
    }

    [Fact]
    public void Rewards_that_need_the_run_say_what_is_missing()
    {
        var none = new ComponentServices();
        Assert.Contains("needs a IPromptTask ('task')", Assert.Throws<MissingComponentServiceException>(() => RewardSet.Build([Entry(0, "answer", services: none)], Registries)).Problem);
        Assert.Contains("needs the run's completion budget", Assert.Throws<MissingComponentServiceException>(() => RewardSet.Build([Entry(0, "length", services: none)], Registries)).Problem);
        Assert.Equal("rewards[0].scale", Assert.Throws<ComponentException>(() => RewardSet.Build([Entry(0, "length", """{"scale": 2}""", none)], Registries)).Path);
        var format = Assert.Throws<MissingComponentServiceException>(() => RewardSet.Build([Entry(0, "format", services: none)], Registries));
        Assert.Equal("rewards[0].pattern", format.Path);
        Assert.Equal(1f, Score(RewardSet.Build([Entry(0, "format", """{"pattern": "2"}""", none)], Registries), "2"));
    }
}
