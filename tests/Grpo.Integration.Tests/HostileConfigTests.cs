using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grpo.Integration.Tests;

/// <summary>
/// A configuration sent straight to the run grain of a real grpo-silo, bypassing every check of the client: paths
/// outside the silo's --data-root and absurd sizes are refused by the silo, each named, and nothing is recorded; a
/// configuration inside the roots starts. The client's submit meets the same refusal.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HostileConfigTests(PostgresServer server)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_silo_refuses_a_hostile_configuration_sent_directly_to_the_run_grain_and_accepts_one_inside_its_data_root()
    {
        await using var cluster = await ScenarioCluster.StartAsync(server);
        var dataRoot = Directory.CreateDirectory(Path.Combine(cluster.Folder, "data")).FullName;
        var secret = cluster.WriteConfig("secret.jsonl", "{\"question\": \"1+1\", \"answer\": \"2\"}\n");
        var allowed = Path.Combine(dataRoot, "problems.jsonl");
        await File.WriteAllLinesAsync(allowed, Enumerable.Range(1, 40).Select(i => $"{{\"question\": \"{i}+{i}\", \"answer\": \"{2 * i}\"}}"));
        await cluster.AddSiloAsync("rollout,learner", "--data-root", dataRoot);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client.UseGrpoPostgres(cluster.ConnectionString, cluster.ClusterId));
        using var host = builder.Build();
        using (var timeout = new CancellationTokenSource(ConnectTimeout))
        {
            await host.StartAsync(timeout.Token);
        }

        try
        {
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var hostile = new RunConfig
            {
                Task = new ComponentSpec("jsonl").WithParameter("path", Path.Combine(dataRoot, "..", "secret.jsonl")),
                ModelPath = "/etc",
                GroupSize = 1_000_000,
                MaxCompletionTokens = 50_000_000,
            };

            var run = grains.GetGrain<IRunGrain>("hostile");
            var error = await Assert.ThrowsAsync<RunConfigException>(() => run.StartAsync(hostile));

            Assert.Equal(["group_size", "max_completion_tokens", "model_path", "task.path"], error.Details.Select(p => p.Key).Order(StringComparer.Ordinal));
            Assert.Contains($"task.path: '{Path.Combine(dataRoot, "..", "secret.jsonl")}' ({secret}) is outside the folders this silo reads run data from ({dataRoot}); the silo's operator can allow more with --data-root", error.Problems);
            Assert.Contains($"group_size: must be at most {Grpo.Configuration.RunConfigBounds.MaxGroupSize}, got 1000000", error.Problems);
            Assert.Equal(RunState.NotStarted, (await run.GetStatusAsync()).State);
            Assert.Empty(await grains.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key).ListAsync());

            var inside = new RunConfig
            {
                Task = new ComponentSpec("jsonl").WithParameter("path", allowed),
                Steps = 2, PromptsPerStep = 2, GroupSize = 2, HeldOutSize = 4, WarmupSftSteps = 0, WarmupSftTargetAccuracy = 0, EvalEvery = 0,
            };
            var accepted = grains.GetGrain<IRunGrain>("inside");
            var started = await accepted.StartAsync(inside);
            Assert.Equal(RunState.WarmingUp, started.State);
            await accepted.StopAsync();
        }
        finally
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(timeout.Token);
        }

        var submit = await cluster.ClientAsync("submit", "--run-id", "through-the-client", "--set", $$"""task={"name": "jsonl", "path": "{{secret}}"}""");
        Assert.NotEqual(0, submit.ExitCode);
        Assert.Contains($"task.path: '{secret}' ({secret}) is outside the folders this silo reads run data from ({dataRoot})", submit.StandardError);
    }

    [Theory]
    [InlineData("does-not-exist", "folder '{0}' does not exist.")]
    [InlineData(",", "names no folder; give at least one, e.g. /data,/models.")]
    public async Task A_bad_data_root_stops_the_silo_naming_the_option(string value, string message)
    {
        await using var silo = SiloProcess.Start(["--data-root", value]);

        Assert.Equal(2, await silo.WaitForExitAsync(TimeSpan.FromSeconds(45)));
        var expected = "grpo-silo: --data-root (GRPO_DATA_ROOT, \"DataRoot\")" + (value == "," ? " " : ": ")
                       + string.Format(System.Globalization.CultureInfo.InvariantCulture, message, Path.Combine(Path.GetTempPath(), value));
        Assert.Equal(expected, silo.Output.TrimEnd());
    }
}
