using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Configuration;
using Grpo.Hosting;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// The run grain checks the configuration it receives against its silo's data roots and the size bounds, whoever sent
/// it; a silo without roots (the embedded mode) reads any path.
/// </summary>
public sealed class SubmittedConfigValidationTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("grpo-submitted-config-").FullName;

    string DataRoot => Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;

    [Fact]
    public async Task A_run_grain_refuses_paths_outside_its_silos_data_roots_and_absurd_sizes_and_records_nothing()
    {
        var restricted = new GrpoSiloOptions { DataRoots = [DataRoot] };
        await using var cluster = await GrpoTestCluster.StartAsync(restricted);
        var outside = Path.Combine(folder, "outside.jsonl");
        File.WriteAllText(outside, "{\"question\": \"1+1\", \"answer\": \"2\"}\n");
        var hostile = RunScenario.Fast(steps: 2) with
        {
            Task = new ComponentSpec("jsonl").WithParameter("path", outside),
            ModelPath = "/",
            PromptsPerStep = RunConfigBounds.MaxPromptsPerStep + 1,
        };
        var run = cluster.Client.GetGrain<IRunGrain>("hostile");

        var error = await Assert.ThrowsAsync<RunConfigException>(() => run.StartAsync(hostile));

        Assert.Equal(["model_path", "prompts_per_step", "task.path"], error.Details.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Contains($"task.path: '{outside}' ({outside}) is outside the folders this silo reads run data from ({DataRoot}); the silo's operator can allow more with --data-root", error.Problems);
        Assert.Equal(RunState.NotStarted, (await run.GetStatusAsync()).State);
        Assert.Empty(await cluster.Client.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key).ListAsync());
    }

    [Fact]
    public async Task A_data_file_inside_the_roots_trains_and_a_silo_without_roots_reads_any_path()
    {
        var data = Path.Combine(DataRoot, "doubling.jsonl");
        File.WriteAllLines(data, Enumerable.Range(1, 30).Select(i => $"{{\"question\": \"{i}+{i}\", \"answer\": \"{2 * i}\"}}"));
        var config = RunScenario.Fast(steps: 1) with
        {
            Task = new ComponentSpec("jsonl").WithParameter("path", data), HeldOutSize = 4, WarmupSftSteps = 20, WarmupSftTargetAccuracy = 0,
        };

        await using (var restricted = await GrpoTestCluster.StartAsync(new GrpoSiloOptions { DataRoots = [DataRoot] }))
        {
            var run = restricted.Client.GetGrain<IRunGrain>("inside");
            await run.StartAsync(config);
            var status = await RunScenario.WaitForEndAsync(run, TimeSpan.FromMinutes(5));
            Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        }

        var elsewhere = Path.Combine(folder, "elsewhere.jsonl");
        File.Copy(data, elsewhere);
        await using var unrestricted = await GrpoTestCluster.StartAsync(new GrpoSiloOptions());
        var anywhere = unrestricted.Client.GetGrain<IRunGrain>("anywhere");
        Assert.Equal(RunState.WarmingUp, (await anywhere.StartAsync(config with { Task = config.Task.WithParameter("path", elsewhere) })).State);
        await anywhere.StopAsync();
        await RunScenario.WaitForEndAsync(anywhere, TimeSpan.FromMinutes(5));
    }

    [Fact]
    public void Blank_data_roots_are_refused_naming_the_option()
    {
        var error = Assert.Throws<ArgumentException>(() => new GrpoSiloOptions { DataRoots = [" "] }.Validate());

        Assert.Equal("GrpoSiloOptions.DataRoots is empty. (Parameter 'DataRoots')", error.Message);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
