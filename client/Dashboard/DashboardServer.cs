using System.Net;
using Grpo.Abstractions.Contracts;
using Grpo.Client.Train;
using Grpo.Hosting.Dashboards;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grpo.Client.Dashboard;

/// <summary>
/// The dashboard's web server: the page, its static files, one server-sent event stream for the cluster and one per
/// run (each fed by one shared feed, so browsers never poll the cluster), and, only when control is allowed, stop and
/// resume. Every request passes the token check first when there is a token.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    /// <summary>
    /// Control requests must carry this header: a page of another site cannot add it without the browser asking this
    /// server first, so a browser that holds the token cannot be made to stop a run from elsewhere.
    /// </summary>
    public const string ControlHeader = "X-Grpo-Dashboard";

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private readonly WebApplication app;
    private readonly DashboardFeeds feeds;
    private readonly CancellationTokenSource stopping;

    private DashboardServer(WebApplication app, DashboardFeeds feeds, CancellationTokenSource stopping, Uri address)
    {
        this.app = app;
        this.feeds = feeds;
        this.stopping = stopping;
        Address = address;
    }

    /// <summary>The page's address as bound (the port chosen when 0 was asked for).</summary>
    public Uri Address { get; }

    public static async Task<DashboardServer> StartAsync(
        DashboardSettings settings, IDashboardSource source, CancellationToken cancellationToken, DashboardTiming? timing = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(source);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // The client's console belongs to its own lines; the server's request log would bury them.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(settings.Bind, settings.Port));
        var app = builder.Build();
        var feeds = new DashboardFeeds(source, timing ?? DashboardTiming.Default, time ?? TimeProvider.System);
        var stopping = new CancellationTokenSource();
        if (settings.Token is { } token)
        {
            app.Use(new DashboardTokenCheck(token, "grpo dashboard").InvokeAsync);
        }

        Map(app, settings, source, feeds, stopping.Token);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await feeds.DisposeAsync();
            await app.DisposeAsync();
            stopping.Dispose();
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new DashboardServer(app, feeds, stopping, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    private static void Map(WebApplication app, DashboardSettings settings, IDashboardSource source, DashboardFeeds feeds, CancellationToken stopping)
    {
        app.MapGet("/", (HttpContext context) => WriteAssetAsync(context, "index.html"));
        app.MapGet("/assets/{name}", (HttpContext context, string name) => WriteAssetAsync(context, name));
        app.MapGet("/api/info", () => Results.Json(new { cluster = source.ClusterName, control = settings.AllowControl }));
        app.MapGet("/api/events", (HttpContext context) => StreamAsync(context, feeds.Cluster.Subscribe(), stopping));
        app.MapGet("/runs/{runId}", async (HttpContext context, string runId) =>
        {
            if (await FindAsync(context, source, runId) is { } problem)
            {
                await WriteProblemPageAsync(context, problem);
                return;
            }

            await WriteAssetAsync(context, "index.html");
        });
        app.MapGet("/api/runs/{runId}/events", async (HttpContext context, string runId) =>
        {
            if (await FindAsync(context, source, runId) is { } problem)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                await context.Response.WriteAsync(problem + "\n");
                return;
            }

            await StreamAsync(context, feeds.Run(runId).Subscribe(), stopping);
        });

        if (!settings.AllowControl)
        {
            // Without the flag the control endpoints do not exist: a POST gets 404 like any unknown path.
            return;
        }

        app.MapPost("/api/runs/{runId}/stop", (HttpContext context, string runId) =>
            ControlAsync(context, source, runId, async run => RunView.From(await run.StopAsync(), runId, null)));
        app.MapPost("/api/runs/{runId}/resume", (HttpContext context, string runId) =>
            ControlAsync(context, source, runId, async run => RunView.From((await run.ResumeAsync()).Status, runId, null)));
    }

    /// <summary>Null when the run exists or the cluster cannot say (the page then waits for it); else what is wrong with the id.</summary>
    private static async Task<string?> FindAsync(HttpContext context, IDashboardSource source, string runId)
    {
        try
        {
            TrainArguments.ValidateRunId(runId);
        }
        catch (ArgumentException exception)
        {
            return $"'{runId}' cannot be a run id: {exception.Message}";
        }

        RunStatus status;
        try
        {
            status = await source.CallAsync(cluster => cluster.GetRun(runId).GetStatusAsync(), context.RequestAborted);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException && !context.RequestAborted.IsCancellationRequested)
        {
            // The cluster is away: the page opens anyway and its stream says that it is reconnecting.
            return null;
        }

        return status.State == RunState.NotStarted ? $"No run named '{runId}' on cluster '{source.ClusterName}'." : null;
    }

    private static async Task ControlAsync(HttpContext context, IDashboardSource source, string runId, Func<Abstractions.Grains.IRunGrain, Task<RunView>> act)
    {
        if (!context.Request.Headers.ContainsKey(ControlHeader))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync($"Control requests carry the {ControlHeader} header; the dashboard's buttons send it.\n");
            return;
        }

        if (await FindAsync(context, source, runId) is { } problem)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync(problem + "\n");
            return;
        }

        try
        {
            var view = await source.CallAsync(cluster => act(cluster.GetRun(runId)), context.RequestAborted);
            await Results.Json(view, Output.ClientJson.Line).ExecuteAsync(context);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException && !context.RequestAborted.IsCancellationRequested)
        {
            // Tried once: a lost answer is reported, never repeated, since the request changes the run.
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"run {runId}: {Cluster.ClusterFailures.Reason(exception)}\n");
        }
    }

    private static async Task StreamAsync(HttpContext context, EventSubscription subscription, CancellationToken stopping)
    {
        using (subscription)
        {
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            try
            {
                // The browser's EventSource reconnects by itself after this many milliseconds when the server goes away.
                await context.Response.WriteAsync("retry: 2000\n\n", ended.Token);
                await context.Response.Body.FlushAsync(ended.Token);
                await foreach (var item in subscription.Events.ReadAllAsync(ended.Token))
                {
                    await context.Response.WriteAsync(item.ToWire(), ended.Token);
                    await context.Response.Body.FlushAsync(ended.Token);
                }
            }
            catch (OperationCanceledException) when (ended.IsCancellationRequested)
            {
                // The browser left or the dashboard is stopping.
            }
        }
    }

    private static async Task WriteAssetAsync(HttpContext context, string name)
    {
        if (DashboardAssets.Find(name) is not { } asset)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync($"No file named '{name}' ships with the dashboard.\n");
            return;
        }

        context.Response.ContentType = asset.ContentType;
        await context.Response.Body.WriteAsync(asset.Content);
    }

    private static async Task WriteProblemPageAsync(HttpContext context, string problem)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/html; charset=utf-8";
        var text = WebUtility.HtmlEncode(problem);
        await context.Response.WriteAsync(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>grpo dashboard: unknown run</title>"
            + "<link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body><main>"
            + $"<h1>Unknown run</h1><p id=\"problem\">{text}</p><p><a href=\"/\">All runs of the cluster</a></p></main></body></html>");
    }

    public async ValueTask DisposeAsync()
    {
        // Event streams end first, so stopping the server does not wait for browsers that would never hang up.
        await stopping.CancelAsync();
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await app.StopAsync(timeout.Token);
        }
        finally
        {
            await feeds.DisposeAsync();
            await app.DisposeAsync();
            stopping.Dispose();
        }
    }
}
