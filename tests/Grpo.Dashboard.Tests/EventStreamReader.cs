using System.Text.Json;

namespace Grpo.Dashboard.Tests;

/// <summary>Reads a server-sent event stream as a browser's EventSource would: named events with their data lines.</summary>
internal sealed class EventStreamReader(HttpResponseMessage response) : IDisposable
{
    private StreamReader? reader;

    public static async Task<EventStreamReader> OpenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStreamReader(response);
    }

    /// <summary>Reads events until one named <paramref name="name"/> satisfies <paramref name="condition"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForAsync(string name, Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var (eventName, data) = await NextAsync(deadline.Token);
                if (eventName != name)
                {
                    continue;
                }

                var json = JsonDocument.Parse(data).RootElement.Clone();
                if (condition(json))
                {
                    return json;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"no '{name}' event met the condition within {timeout}.");
        }
    }

    private async Task<(string Name, string Data)> NextAsync(CancellationToken cancellationToken)
    {
        reader ??= new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string name = "message";
        var data = new List<string>();
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("the server ended the event stream.");
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    return (name, string.Join("\n", data));
                }

                name = "message";
                continue;
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line["data: ".Length..]);
            }
        }
    }

    public void Dispose()
    {
        reader?.Dispose();
        response.Dispose();
    }
}
