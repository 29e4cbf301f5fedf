namespace Grpo.Integration.Tests;

/// <summary>
/// Plugins on real grpo-silo processes: a silo started with --plugins serves a run that names the plugin's task,
/// reward, loss and estimator; once a silo without the plugin has joined, such a run is refused naming that silo;
/// a plugin folder that cannot be used stops the silo naming the file.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PluginScenarioTests(PostgresServer server)
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(6);

    const string PluginRun = """
        {
          "steps": 3, "prompts_per_step": 4, "group_size": 4, "minibatch_size": 16, "max_completion_tokens": 4,
          "task": { "name": "test_doubling", "max": 40 },
          "held_out_size": 8,
          "rewards": [ { "name": "answer" }, { "name": "test_digit_count", "weight": 0.5 } ],
          "policy_loss": { "name": "test_scaled_clip", "factor": 0.25 },
          "advantage_estimator": "test_median_baseline",
          "warmup_sft_steps": 10, "warmup_sft_target_accuracy": 0, "eval_every": 0, "completion_timeout_seconds": 30
        }
        """;

    [Fact]
    public async Task A_silo_with_the_plugin_serves_a_run_of_its_components_and_a_silo_without_it_makes_the_next_one_refused()
    {
        await using var cluster = await ScenarioCluster.StartAsync(server);
        await cluster.AddSiloAsync("rollout,learner", "--plugins", RepositoryLayout.TestPluginFolder);
        var config = cluster.WriteConfig("plugin-run.json", PluginRun);

        var submit = await cluster.ClientAsync("submit", "--run-id", "plugin-run", "--config", config);
        Assert.True(submit.ExitCode == 0, submit.Describe("grpo submit"));

        var finished = await cluster.WaitUntilAsync("plugin-run", run => run.Status.IsFinished, RunTimeout);
        Assert.True(finished.Status.State == "Completed", $"run ended {finished.Status.State}: {finished.Status.Error}");
        Assert.Equal([0L, 1L, 2L], finished.Metrics.Select(step => step.Step));
        Assert.All(finished.Metrics, step => Assert.Equal(16, step.Completions));

        var plain = await cluster.AddSiloAsync("rollout");
        var refused = await cluster.ClientAsync("submit", "--run-id", "refused-run", "--config", config);
        Assert.True(refused.ExitCode != 0, refused.Describe("grpo submit"));
        var message = refused.StandardError;
        Assert.True(message.Contains("task: task 'test_doubling' is not registered on silo") && message.Contains($"127.0.0.1:{plain.SiloPort}")
            && message.Contains("--plugins DIR"), refused.Describe("grpo submit"));
    }

    [Fact]
    public async Task A_plugin_folder_with_a_file_that_is_no_assembly_stops_the_silo_naming_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("grpo-bad-plugin-").FullName;
        try
        {
            var bad = Path.Combine(folder, "Broken.dll");
            File.WriteAllText(bad, "not an assembly");
            await using var silo = SiloProcess.Start(["--plugins", folder]);

            Assert.Equal(2, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"grpo-silo: {bad} is not a .NET assembly", silo.Output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
