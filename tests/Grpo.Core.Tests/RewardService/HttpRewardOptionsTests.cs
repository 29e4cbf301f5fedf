using System.Text.Json;
using Grpo.Core.Registries;
using Grpo.Core.Rewards;
using Grpo.Core.Rewards.Http;

namespace Grpo.Core.Tests.RewardService;

/// <summary>The http reward's parameters: defaults, and each bad value refused naming its key.</summary>
public sealed class HttpRewardOptionsTests
{
    static ComponentArguments Arguments(string json) =>
        new("rewards[2]", JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json));

    [Fact]
    public void Only_the_url_is_required()
    {
        var options = HttpRewardOptions.Read(Arguments("""{"url": "https://judge.example/score"}"""));

        Assert.Equal(new Uri("https://judge.example/score"), options.Url);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(3, options.MaxRetries);
        Assert.Empty(options.Headers);
        Assert.Equal(TimeSpan.FromMilliseconds(10), options.BatchWait);
        Assert.Equal(64, options.MaxBatch);
    }

    [Fact]
    public void Every_parameter_is_read()
    {
        var options = HttpRewardOptions.Read(Arguments(
            """{"url": "http://127.0.0.1:9/s", "timeout_seconds": 2.5, "max_retries": 0, "headers": {"Authorization": "Bearer t"}, "batch_wait_ms": 0, "max_batch": 1}"""));

        Assert.Equal(TimeSpan.FromSeconds(2.5), options.Timeout);
        Assert.Equal(0, options.MaxRetries);
        Assert.Equal("Bearer t", options.Headers["authorization"]);
        Assert.Equal(TimeSpan.Zero, options.BatchWait);
        Assert.Equal(1, options.MaxBatch);
    }

    [Theory]
    [InlineData("""{}""", "rewards[2].url", "is required")]
    [InlineData("""{"url": "/score"}""", "rewards[2].url", "must be an absolute http:// or https:// URL, got '/score'")]
    [InlineData("""{"url": "ftp://host/score"}""", "rewards[2].url", "must be an absolute http:// or https:// URL, got 'ftp://host/score'")]
    [InlineData("""{"url": "http://h/s", "timeout_seconds": 0}""", "rewards[2].timeout_seconds", "must be more than 0.01 and at most 3600, got 0")]
    [InlineData("""{"url": "http://h/s", "max_retries": -1}""", "rewards[2].max_retries", "must be from 0 to 20, got -1")]
    [InlineData("""{"url": "http://h/s", "max_batch": 0}""", "rewards[2].max_batch", "must be from 1 to 100000, got 0")]
    [InlineData("""{"url": "http://h/s", "batch_wait_ms": 1.5}""", "rewards[2].batch_wait_ms", "expected a whole number")]
    [InlineData("""{"url": "http://h/s", "headers": ["a"]}""", "rewards[2].headers", "expected an object of header names to strings, got array")]
    [InlineData("""{"url": "http://h/s", "headers": {"X-Key": 5}}""", "rewards[2].headers.X-Key", "expected a string, got 5")]
    [InlineData("""{"url": "http://h/s", "headers": {"Content-Type": "text/plain"}}""", "rewards[2].headers.Content-Type", "cannot be sent as a request header")]
    [InlineData("""{"url": "http://h/s", "headers": {"X-Key": "a\nb"}}""", "rewards[2].headers.X-Key", "must not contain a line break")]
    public void A_bad_value_is_named_by_its_key(string json, string path, string problem)
    {
        var error = Assert.Throws<ComponentException>(() => HttpRewardOptions.Read(Arguments(json)));
        Assert.Equal(path, error.Path);
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void A_misspelt_parameter_is_refused_by_the_registry()
    {
        var error = Assert.Throws<ComponentException>(() =>
            GrpoRegistries.CreateDefault().Rewards.Create("http", Arguments("""{"url": "http://h/s", "max_retry": 1}""")));
        Assert.Equal("rewards[2].max_retry", error.Path);
        Assert.Contains("did you mean 'max_retries'?", error.Problem);
    }

    [Fact]
    public void In_a_reward_set_the_http_reward_is_weighted_and_keyed_http()
    {
        var reward = RewardSet.Build(
        [
            ("http", Arguments("""{"url": "http://127.0.0.1:9/s", "weight": 0.5}""")),
            ("exact_match", new ComponentArguments("rewards[3]")),
        ], GrpoRegistries.CreateDefault());

        var weighted = Assert.IsType<WeightedReward>(reward);
        Assert.Equal([("http", 0.5f), ("exact_match", 1f)], weighted.Components.Select(c => (c.Function.Name, c.Weight)));
        ((IDisposable)weighted.Components[0].Function).Dispose();
    }
}
