using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Grpo.Core.Tests.RewardService;

/// <summary>A request the server received: its JSON body and headers.</summary>
internal sealed record ReceivedRequest(string Body, NameValueCollection Headers)
{
    public JsonElement Items => JsonDocument.Parse(Body).RootElement.GetProperty("items");
}

/// <summary>What the server answers one request with, after an optional delay.</summary>
internal sealed record ServerReply(int Status, string Body, TimeSpan Delay = default);

/// <summary>
/// A reward service on 127.0.0.1 at a free port, answering each request with what <c>answer</c> returns for it and
/// its 0-based number, and recording every request. Stopped on dispose.
/// </summary>
internal sealed class LocalRewardServer : IAsyncDisposable
{
    readonly HttpListener listener;
    readonly Func<ReceivedRequest, int, ServerReply> answer;
    readonly CancellationTokenSource stopping = new();
    readonly ConcurrentQueue<ReceivedRequest> requests = new();
    readonly Task serving;
    int count;

    LocalRewardServer(HttpListener listener, Uri url, Func<ReceivedRequest, int, ServerReply> answer)
    {
        (this.listener, Url, this.answer) = (listener, url, answer);
        serving = ServeAsync();
    }

    public Uri Url { get; }

    public IReadOnlyList<ReceivedRequest> Requests => [.. requests];

    public int RequestCount => Volatile.Read(ref count);

    public static LocalRewardServer Start(Func<ReceivedRequest, int, ServerReply> answer)
    {
        // HttpListener cannot bind port 0; a port the system just handed out is free unless another process takes it first.
        for (var attempt = 1; ; attempt++)
        {
            var url = new Uri($"http://127.0.0.1:{FreePort()}/score/");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
                return new LocalRewardServer(listener, url, answer);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    /// <summary>Scores each item with the length of its completion.</summary>
    public static ServerReply CompletionLengths(ReceivedRequest request, int index) =>
        new(200, JsonSerializer.Serialize(new { scores = request.Items.EnumerateArray().Select(item => item.GetProperty("completion").GetString()!.Length) }));

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    async Task ServeAsync()
    {
        var handlers = new List<Task>();
        while (!stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                break;
            }
            handlers.Add(RespondAsync(context));
        }
        await Task.WhenAll(handlers);
    }

    async Task RespondAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var request = new ReceivedRequest(await reader.ReadToEndAsync(), new NameValueCollection(context.Request.Headers));
            requests.Enqueue(request);
            var reply = answer(request, Interlocked.Increment(ref count) - 1);
            if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay, stopping.Token);
            var body = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body, stopping.Token);
            context.Response.Close();
        }
        catch (Exception e) when (e is OperationCanceledException or HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client gave up (a timeout test) or the server is stopping.
            context.Response.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        stopping.Cancel();
        listener.Close();
        await serving;
        stopping.Dispose();
    }
}
