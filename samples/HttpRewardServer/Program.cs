using Grpo.Samples.HttpRewardServer;

// A reward service for Grpo.Orleans' http reward. Start it, then name it in a run configuration:
//   "rewards": [{ "name": "http", "url": "http://127.0.0.1:5080/score" }]
// It listens on loopback unless --urls says otherwise.
var builder = WebApplication.CreateBuilder(args);
if (builder.Configuration["urls"] is null)
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

var app = builder.Build();
app.MapGet("/health", () => Results.Ok("ok"));
app.MapPost("/score", (ScoreRequest request) =>
    request.Items is null
        ? Results.BadRequest("the body needs an 'items' list")
        : Results.Ok(new ScoreResponse([.. request.Items.Select(AnswerScorer.Score)])));
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"reward service listening on {string.Join(", ", app.Urls)}"));
app.Run();
