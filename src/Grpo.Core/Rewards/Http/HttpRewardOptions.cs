using System.Globalization;
using System.Text.Json;
using Grpo.Core.Registries;

namespace Grpo.Core.Rewards.Http;

/// <summary>Where and how the <c>http</c> reward calls its reward service.</summary>
public sealed record HttpRewardOptions
{
    public required Uri Url { get; init; }

    /// <summary>How long one attempt may take, the answer's body included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after a transport error, a timeout or a 5xx answer; a 4xx answer is never retried.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Sent with every request, e.g. Authorization.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>How long the first completion of a batch waits for others to join it.</summary>
    public TimeSpan BatchWait { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The most completions one request carries; a full batch is sent without waiting.</summary>
    public int MaxBatch { get; init; } = 64;

    /// <summary>
    /// The options of a run configuration's <c>http</c> reward: <c>url</c> (required, absolute http or https),
    /// <c>timeout_seconds</c> (10), <c>max_retries</c> (3), <c>headers</c> (an object of strings),
    /// <c>batch_wait_ms</c> (10) and <c>max_batch</c> (64). Each bad value is refused naming its key.
    /// </summary>
    public static HttpRewardOptions Read(ComponentArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var url = arguments.RequireString("url");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ComponentException($"{arguments.Path}.url", $"must be an absolute http:// or https:// URL, got '{url}'");
        var timeout = arguments.GetDouble("timeout_seconds", 10);
        // Polly's timeout needs more than 10 ms; a reward that may take over an hour per attempt is a mistake.
        if (timeout is <= 0.01 or > 3600)
            throw new ComponentException($"{arguments.Path}.timeout_seconds", $"must be more than 0.01 and at most 3600, got {Show(timeout)}");
        return new HttpRewardOptions
        {
            Url = uri,
            Timeout = TimeSpan.FromSeconds(timeout),
            MaxRetries = InRange(arguments, "max_retries", 3, 0, 20),
            Headers = ReadHeaders(arguments),
            BatchWait = TimeSpan.FromMilliseconds(InRange(arguments, "batch_wait_ms", 10, 0, 60_000)),
            MaxBatch = InRange(arguments, "max_batch", 64, 1, 100_000),
        };
    }

    static int InRange(ComponentArguments arguments, string name, int defaultValue, int min, int max)
    {
        var value = arguments.GetInt(name, defaultValue);
        return value >= min && value <= max
            ? value
            : throw new ComponentException($"{arguments.Path}.{name}", $"must be from {min} to {max}, got {value}");
    }

    static Dictionary<string, string> ReadHeaders(ComponentArguments arguments)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (arguments.GetJson("headers") is not { } json || json.ValueKind == JsonValueKind.Null) return headers;
        if (json.ValueKind != JsonValueKind.Object)
            throw new ComponentException($"{arguments.Path}.headers", $"expected an object of header names to strings, got {json.ValueKind.ToString().ToLowerInvariant()}");
        using var probe = new HttpRequestMessage();
        foreach (var header in json.EnumerateObject())
        {
            var key = $"{arguments.Path}.headers.{header.Name}";
            if (header.Value.ValueKind != JsonValueKind.String)
                throw new ComponentException(key, $"expected a string, got {header.Value.GetRawText()}");
            var value = header.Value.GetString()!;
            if (value.Contains('\r') || value.Contains('\n'))
                throw new ComponentException(key, "must not contain a line break");
            // Content headers (Content-Type) and malformed names are refused by HttpClient's header collection itself.
            if (!probe.Headers.TryAddWithoutValidation(header.Name, value))
                throw new ComponentException(key, "cannot be sent as a request header (a content header or not a valid header name)");
            if (!headers.TryAdd(header.Name, value))
                throw new ComponentException(key, "is given twice");
        }
        return headers;
    }

    static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}
