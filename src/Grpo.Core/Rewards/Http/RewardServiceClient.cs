using System.Net.Http.Headers;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Grpo.Core.Rewards.Http;

/// <summary>
/// Sends batches of completions to a reward service and returns their scores, under a Polly pipeline: each attempt
/// has <see cref="HttpRewardOptions.Timeout"/>; transport errors, timeouts and 5xx answers are retried
/// <see cref="HttpRewardOptions.MaxRetries"/> times with jittered exponential backoff; and a circuit breaker stops
/// calling a service whose attempts keep failing, so a dead service fails completions at once instead of holding
/// each for every retry. Every failure is a <see cref="RewardServiceException"/>.
/// </summary>
public sealed class RewardServiceClient : IDisposable
{
    /// <summary>The median delay before the first retry; later ones double.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>The breaker opens when at least half of at least this many attempts within <see cref="BreakerWindow"/> failed.</summary>
    public const int BreakerMinimumAttempts = 8;

    public static readonly TimeSpan BreakerWindow = TimeSpan.FromSeconds(30);

    /// <summary>How long an open breaker refuses calls before letting one through to test the service.</summary>
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(15);

    static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    readonly HttpRewardOptions options;
    readonly HttpClient http;
    readonly ResiliencePipeline<Reply> pipeline;

    public RewardServiceClient(HttpRewardOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        // Polly times each attempt; the client's own timeout would cut across retries.
        http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }, disposeHandler: true)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        pipeline = Pipeline(options);
    }

    /// <summary>One score per item, in order.</summary>
    /// <exception cref="RewardServiceException">No usable answer after the retries, an error status, or a malformed answer.</exception>
    public async Task<float[]> ScoreAsync(IReadOnlyList<RewardInput> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var body = RewardServiceRequest.Serialize(items);
        var attempts = 0;
        Reply reply;
        try
        {
            reply = await pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                return await SendAsync(body, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException e)
        {
            throw new RewardServiceException(options.Url,
                $"circuit open: at least half of its last {BreakerMinimumAttempts}+ attempts failed, so it is not called for {BreakDuration.TotalSeconds:0} s", e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new RewardServiceException(options.Url, $"gave no answer within {options.Timeout.TotalSeconds:0.###} s ({Attempts(attempts)})", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RewardServiceException(options.Url, $"cannot be reached ({Attempts(attempts)}): {e.Message}", e);
        }

        var status = reply.Status;
        if (status >= 500)
            throw new RewardServiceException(options.Url, $"answered {status} {reply.Reason} ({Attempts(attempts)}): {RewardServiceResponse.Excerpt(reply.Body)}");
        if (status >= 400)
            throw new RewardServiceException(options.Url, $"answered {status} {reply.Reason}, a client error that is not retried: {RewardServiceResponse.Excerpt(reply.Body)}");
        if (status is < 200 or >= 300)
            throw new RewardServiceException(options.Url, $"answered {status} {reply.Reason}, expected 200 with the scores");
        return RewardServiceResponse.ParseScores(reply.Body, items.Count, options.Url);
    }

    public void Dispose() => http.Dispose();

    async Task<Reply> SendAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        foreach (var (name, value) in options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // Reading the body inside the attempt puts it under the attempt's timeout too.
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new Reply((int)response.StatusCode, response.ReasonPhrase ?? "", text);
    }

    static ResiliencePipeline<Reply> Pipeline(HttpRewardOptions options)
    {
        var transient = new PredicateBuilder<Reply>()
            .Handle<HttpRequestException>()
            .Handle<IOException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(reply => reply.Status >= 500);
        var builder = new ResiliencePipelineBuilder<Reply>();
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<Reply>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = RetryDelay,
                MaxDelay = TimeSpan.FromSeconds(10),
                ShouldHandle = transient,
            });
        }
        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<Reply>
            {
                FailureRatio = 0.5,
                MinimumThroughput = BreakerMinimumAttempts,
                SamplingDuration = BreakerWindow,
                BreakDuration = BreakDuration,
                ShouldHandle = transient,
            })
            .AddTimeout(options.Timeout)
            .Build();
    }

    static string Attempts(int attempts) => attempts == 1 ? "1 attempt" : $"{attempts} attempts";

    /// <summary>An answer read whole within its attempt.</summary>
    readonly record struct Reply(int Status, string Reason, string Body);
}
