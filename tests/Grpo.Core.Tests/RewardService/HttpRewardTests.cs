using System.Diagnostics;
using System.Text.Json;
using Grpo.Core.Registries;
using Grpo.Core.Rewards;
using Grpo.Core.Rewards.Http;

namespace Grpo.Core.Tests.RewardService;

/// <summary>
/// The http reward against a real reward service on 127.0.0.1: batching, the request and answer formats, and every
/// way a service can fail, each ending in a <see cref="RewardServiceException"/> naming the URL and what was wrong.
/// </summary>
public sealed class HttpRewardTests
{
    static HttpReward Reward(LocalRewardServer server, string extraJson = "") => Reward(server.Url, extraJson);

    static HttpReward Reward(Uri url, string extraJson = "")
    {
        var json = $$"""{"url": "{{url}}"{{extraJson}}}""";
        var arguments = new ComponentArguments("rewards[0]", JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json));
        return Assert.IsType<HttpReward>(GrpoRegistries.CreateDefault().Rewards.Create("http", arguments));
    }

    static RewardInput Input(string completion, IReadOnlyDictionary<string, string>? metadata = null) => new("2+3=", completion, "5", metadata);

    [Fact]
    public async Task A_completion_is_posted_with_its_prompt_answer_metadata_and_headers_and_gets_its_score()
    {
        await using var server = LocalRewardServer.Start((_, _) => new ServerReply(200, """{"scores": [0.75]}"""));
        using var reward = Reward(server, """, "headers": {"Authorization": "Bearer s3cret", "X-Run": "r1"}""");

        var score = await reward.ScoreAsync(Input("5", new Dictionary<string, string> { ["tests"] = "[1,2]" }));

        Assert.Equal(0.75f, score);
        var request = Assert.Single(server.Requests);
        var item = Assert.Single(request.Items.EnumerateArray().ToArray());
        Assert.Equal("2+3=", item.GetProperty("prompt").GetString());
        Assert.Equal("5", item.GetProperty("completion").GetString());
        Assert.Equal("5", item.GetProperty("answer").GetString());
        Assert.Equal("[1,2]", item.GetProperty("metadata").GetProperty("tests").GetString());
        Assert.Equal("Bearer s3cret", request.Headers["Authorization"]);
        Assert.Equal("r1", request.Headers["X-Run"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"]);
    }

    [Fact]
    public async Task Concurrent_completions_within_the_wait_go_out_as_one_post_and_each_gets_its_own_score()
    {
        await using var server = LocalRewardServer.Start(LocalRewardServer.CompletionLengths);
        using var reward = Reward(server, """, "batch_wait_ms": 1000""");
        string[] completions = ["a", "bb", "ccc", "dddd", "eeeee"];

        var scores = await Task.WhenAll(completions.Select(c => reward.ScoreAsync(Input(c)).AsTask()));

        Assert.Equal([1f, 2f, 3f, 4f, 5f], scores);
        var request = Assert.Single(server.Requests);
        Assert.Equal(completions, request.Items.EnumerateArray().Select(item => item.GetProperty("completion").GetString()));
        Assert.Equal(JsonValueKind.Object, request.Items[0].GetProperty("metadata").ValueKind);
    }

    [Fact]
    public async Task A_full_batch_is_sent_at_once_without_waiting()
    {
        await using var server = LocalRewardServer.Start(LocalRewardServer.CompletionLengths);
        using var reward = Reward(server, """, "batch_wait_ms": 60000, "max_batch": 2""");
        var clock = Stopwatch.StartNew();

        var scores = await Task.WhenAll(new[] { "a", "bb", "ccc", "dddd" }.Select(c => reward.ScoreAsync(Input(c)).AsTask()));

        Assert.Equal([1f, 2f, 3f, 4f], scores);
        Assert.Equal(2, server.RequestCount);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"full batches waited {clock.Elapsed}");
    }

    [Theory]
    [InlineData("""{"scores": [1, 2, 3]}""", "scores has 3 entries for 4 items")]
    [InlineData("""{"scores": [1, 2, "abc", 4]}""", "scores[2] is \"abc\", not a number")]
    [InlineData("""{"scores": [1, null, 3, 4]}""", "scores[1] is null, not a number")]
    [InlineData("""{"scores": [1, 2, 3, 1e999]}""", "scores[3] is 1e999, not a finite number")]
    [InlineData("""{"rewards": [1, 2, 3, 4]}""", "answer has no field 'scores'")]
    [InlineData("""{"scores": "1,2,3,4"}""", "field 'scores' is a string, not a list of numbers")]
    [InlineData("""[1, 2, 3, 4]""", "answered with a list, not an object with field 'scores'")]
    [InlineData("""{"scores": [1, 2""", "answered with invalid JSON")]
    public async Task A_bad_answer_fails_every_completion_of_the_batch_naming_the_url_and_the_field(string body, string problem)
    {
        await using var server = LocalRewardServer.Start((_, _) => new ServerReply(200, body));
        using var reward = Reward(server, """, "batch_wait_ms": 200""");

        var scoring = Enumerable.Range(0, 4).Select(i => reward.ScoreAsync(Input(i.ToString())).AsTask()).ToArray();

        foreach (var pending in scoring)
        {
            var error = await Assert.ThrowsAsync<RewardServiceException>(() => pending);
            Assert.Equal(server.Url, error.Url);
            Assert.StartsWith($"reward service {server.Url}: {problem}", error.Message);
        }
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        await using var server = LocalRewardServer.Start((_, _) => new ServerReply(401, """{"error": "bad token"}"""));
        using var reward = Reward(server, """, "max_retries": 3""");

        var error = await Assert.ThrowsAsync<RewardServiceException>(() => reward.ScoreAsync(Input("5")).AsTask());

        Assert.Equal($"reward service {server.Url}: answered 401 Unauthorized, a client error that is not retried: {{\"error\": \"bad token\"}}", error.Message);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task A_transient_503_is_retried_and_the_retry_scores()
    {
        await using var server = LocalRewardServer.Start((request, index) =>
            index == 0 ? new ServerReply(503, "warming up") : LocalRewardServer.CompletionLengths(request, index));
        using var reward = Reward(server);

        Assert.Equal(3f, await reward.ScoreAsync(Input("abc")));
        Assert.Equal(2, server.RequestCount);
        Assert.Equal(server.Requests[0].Body, server.Requests[1].Body);
    }

    [Fact]
    public async Task A_server_error_that_persists_fails_after_the_retries()
    {
        await using var server = LocalRewardServer.Start((_, _) => new ServerReply(500, "boom"));
        using var reward = Reward(server, """, "max_retries": 2""");

        var error = await Assert.ThrowsAsync<RewardServiceException>(() => reward.ScoreAsync(Input("5")).AsTask());

        Assert.Equal($"reward service {server.Url}: answered 500 Internal Server Error (3 attempts): boom", error.Message);
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public async Task A_service_that_does_not_answer_in_time_fails_after_the_retries()
    {
        await using var server = LocalRewardServer.Start((_, _) => new ServerReply(200, """{"scores": [1]}""", Delay: TimeSpan.FromSeconds(30)));
        using var reward = Reward(server, """, "timeout_seconds": 1, "max_retries": 1""");
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RewardServiceException>(() => reward.ScoreAsync(Input("5")).AsTask());

        Assert.Equal($"reward service {server.Url}: gave no answer within 1 s (2 attempts)", error.Message);
        // On a loaded machine the listener may take the second request after the client has given up on it.
        var counted = Stopwatch.StartNew();
        while (server.RequestCount < 2 && counted.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        Assert.Equal(2, server.RequestCount);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the timeout took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_service_nobody_listens_for_cannot_be_reached_after_the_retries()
    {
        var url = new Uri($"http://127.0.0.1:{LocalRewardServer.FreePort()}/score");
        using var reward = Reward(url, """, "max_retries": 1""");

        var error = await Assert.ThrowsAsync<RewardServiceException>(() => reward.ScoreAsync(Input("5")).AsTask());

        Assert.StartsWith($"reward service {url}: cannot be reached (2 attempts): ", error.Message);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task After_repeated_failures_the_breaker_opens_and_completions_fail_without_calling_the_service()
    {
        await using var server = LocalRewardServer.Start((_, _) => new ServerReply(503, "overloaded"));
        using var reward = Reward(server, """, "max_retries": 1""");
        var attemptsToOpen = RewardServiceClient.BreakerMinimumAttempts;

        // Each completion is tried twice; every attempt fails, so the breaker opens once it has seen enough of them.
        for (var i = 0; i < attemptsToOpen / 2; i++)
        {
            var failed = await Assert.ThrowsAsync<RewardServiceException>(() => reward.ScoreAsync(Input("5")).AsTask());
            Assert.Contains("answered 503 Service Unavailable (2 attempts): overloaded", failed.Message);
        }
        Assert.Equal(attemptsToOpen, server.RequestCount);

        var refused = await Assert.ThrowsAsync<RewardServiceException>(() => reward.ScoreAsync(Input("5")).AsTask());

        Assert.StartsWith($"reward service {server.Url}: circuit open:", refused.Message);
        Assert.Equal(attemptsToOpen, server.RequestCount);
    }

    [Fact]
    public async Task A_caller_that_gives_up_stops_waiting_while_the_batch_still_scores_the_others()
    {
        await using var server = LocalRewardServer.Start(LocalRewardServer.CompletionLengths);
        using var reward = Reward(server, """, "batch_wait_ms": 500""");
        using var giveUp = new CancellationTokenSource();

        var patient = reward.ScoreAsync(Input("abcd")).AsTask();
        var impatient = reward.ScoreAsync(Input("ab"), giveUp.Token).AsTask();
        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        Assert.Equal(4f, await patient);
        Assert.Equal(2, Assert.Single(server.Requests).Items.GetArrayLength());
    }
}
