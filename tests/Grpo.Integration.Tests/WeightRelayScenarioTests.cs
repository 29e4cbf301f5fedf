using System.Globalization;
using Grpo.Testing;
using Xunit.Abstractions;

namespace Grpo.Integration.Tests;

/// <summary>
/// Relay weight distribution on real silo processes: a learner-only silo and three rollout silos, each exporting its
/// metrics for Prometheus, which the test scrapes. The rollout silos fetch each version from the ones that asked for it
/// first; one is killed with SIGKILL while it serves chunks, and the run goes on with retries only.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WeightRelayScenarioTests(PostgresServer server, ITestOutputHelper output)
{
    private const string RunId = "relay-run";
    // A few steps only: the small preset trains at several seconds a step on a loaded 2-core machine.
    private const int Steps = 12;
    private const int PromptsPerStep = 6;
    private const int GroupSize = 4;
    private const int RolloutSilos = 3;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(6);

    // How long after the kill the other silos have to give up on the dead relay: a call to a silo that vanished fails
    // when its connection does, or at the latest at the grain call's response timeout (30 s).
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(90);

    // The small preset (38 MB in float32) in 64 KiB chunks: a pull is hundreds of chunk calls, long enough for the test to
    // see a relay serving and kill it before the pulls from it are over. No reference model and no warm-up: the test is
    // about moving weights, not what they learn.
    private static readonly string Config = $$"""
        {
          "seed": 5,
          "steps": {{Steps}},
          "prompts_per_step": {{PromptsPerStep}},
          "group_size": {{GroupSize}},
          "minibatch_size": {{PromptsPerStep * GroupSize}},
          "max_completion_tokens": 4,
          "task": {"name": "arithmetic", "max_operand": 9},
          "model_preset": "small",
          "weight_chunk_bytes": 65536,
          "beta": 0,
          "held_out_size": 16,
          "warmup_sft_steps": 0,
          "eval_every": 0,
          "checkpoint_every": 0,
          "completion_timeout_seconds": 20,
          "rollout_batch_wait_ms": 300
        }
        """;

    [Fact]
    public async Task Rollout_silos_relay_each_version_and_a_relay_killed_mid_pull_costs_only_retries()
    {
        await using var cluster = await ScenarioCluster.StartAsync(server);
        var learner = await StartSiloAsync(cluster, "learner");
        var rollouts = new List<(SiloProcess Silo, int MetricsPort)>();
        for (var index = 0; index < RolloutSilos; index++)
        {
            rollouts.Add(await StartSiloAsync(cluster, "rollout"));
        }

        var submitted = await cluster.ClientAsync("submit", "--config", cluster.WriteConfig("run.json", Config), "--run-id", RunId);
        Assert.True(submitted.ExitCode == 0, submitted.Describe("grpo submit"));
        await cluster.WaitUntilAsync(RunId, run => run.Status.Step >= 1, PhaseTimeout);

        // 1. Kill a rollout silo the moment it is seen serving chunks to another; keep going until a kill has made the
        // others give up on a relay (a kill can land just after the pulls from it ended). At least one rollout silo stays.
        var killed = new List<SiloProcess>();
        var failedOver = false;
        while (!failedOver && rollouts.Count(r => !r.Silo.HasExited) > 1)
        {
            var live = rollouts.Where(r => !r.Silo.HasExited).ToArray();
            var victim = await WaitForRelayServingAsync(cluster, live);
            var others = live.Where(r => r.Silo != victim.Silo).ToArray();
            var before = await SumAsync(others, "grpo.weights.relay_failures");
            victim.Silo.Kill();
            killed.Add(victim.Silo);
            output.WriteLine($"killed rollout silo {victim.Silo.SiloPort} while it relayed ({before} relay failures on the others before)");
            failedOver = await WaitForAsync(async () => await SumAsync(others, "grpo.weights.relay_failures") > before, FailoverTimeout);
            output.WriteLine(failedOver ? "the other silos gave up on the dead relay" : "no pull was asking the dead relay");
        }

        Assert.True(failedOver, $"no kill of a relay silo hit a pull in progress ({killed.Count} killed).\n{cluster.Logs()}");

        // 2. The run completes, every step trained once from full groups.
        var finished = await cluster.WaitUntilAsync(RunId, run => run.Status.IsFinished, PhaseTimeout);
        Assert.True(finished.Status.State == "Completed", $"run ended {finished.Status.State}: {finished.Status.Error}\n{cluster.Logs()}");
        Assert.Equal(Steps, finished.Status.Step);
        Assert.Equal(Steps, finished.Status.PolicyVersion);
        Assert.Equal(Enumerable.Range(0, Steps).Select(step => (long)step), finished.Metrics.Select(step => step.Step));
        Assert.All(finished.Metrics, step => Assert.Equal(PromptsPerStep * GroupSize, step.CompletionsBySilo.Values.Sum()));

        // 3. Every surviving rollout silo loaded, SHA-256 verified, a version for each step it generated for (each step
        // needs its own version: max_staleness is 0), and no pull of theirs failed: the dead relay cost retries only.
        var survivors = rollouts.Where(r => !r.Silo.HasExited).ToArray();
        var relayed = 0.0;
        foreach (var (silo, port) in survivors)
        {
            var scrape = await PrometheusScrape.ReadAsync(port);
            var verified = scrape.Sum("grpo.weights.pulls", ("grpo_run", RunId), ("grpo_outcome", "verified"));
            var failed = scrape.Sum("grpo.weights.pulls", ("grpo_run", RunId), ("grpo_outcome", "failed"));
            var served = scrape.Sum("grpo.weights.served_bytes", ("grpo_run", RunId), ("grpo_source", "relay"));
            var stepsGenerated = finished.Metrics.Count(step => GeneratedOn(step, silo));
            relayed += served;
            output.WriteLine($"rollout silo {silo.SiloPort}: {verified} verified pulls, {failed} failed, generated for {stepsGenerated} steps, relayed {served / 1e6:F1} MB, " +
                $"gave up on {scrape.Sum("grpo.weights.relay_failures", ("grpo_run", RunId))} relays");
            Assert.Equal(0, failed);
            Assert.True(stepsGenerated > 0, $"rollout silo {silo.SiloPort} generated nothing.");
            Assert.True(verified >= stepsGenerated, $"rollout silo {silo.SiloPort} generated for {stepsGenerated} steps but verified only {verified} pulls.");
        }

        // 4. The learner sent about one image per version, not one per rollout silo: the others came from relays.
        var learnerScrape = await PrometheusScrape.ReadAsync(learner.MetricsPort);
        var published = learnerScrape.Sum("grpo.weights.published_bytes", ("grpo_run", RunId));
        var versions = learnerScrape.Sum("grpo.weights.publications", ("grpo_run", RunId));
        var egress = learnerScrape.Sum("grpo.weights.served_bytes", ("grpo_run", RunId), ("grpo_source", "learner"));
        var imagesPerVersion = egress / published;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"learner: {versions} versions of {published / versions / 1e6:F1} MB published, egress {egress / 1e6:F1} MB = {imagesPerVersion:F2} images per version; survivors relayed {relayed / 1e6:F1} MB"));
        Assert.Equal(Steps + 1, versions);
        Assert.True(relayed > 0, "no surviving rollout silo served a chunk to another.");
        Assert.True(imagesPerVersion <= 1.5,
            $"the learner sent {imagesPerVersion:F2} images per version to {RolloutSilos} rollout silos; relays should bring that to about one.\n{cluster.Logs()}");
    }

    private static async Task<(SiloProcess Silo, int MetricsPort)> StartSiloAsync(ScenarioCluster cluster, string roles)
    {
        var port = FreePort.Next();
        var silo = await cluster.AddSiloAsync(roles, "--metrics", "prometheus", "--metrics-port", port.ToString(CultureInfo.InvariantCulture));
        return (silo, port);
    }

    /// <summary>The first of <paramref name="silos"/> whose relay served bytes between two scrapes of it.</summary>
    private static async Task<(SiloProcess Silo, int MetricsPort)> WaitForRelayServingAsync(ScenarioCluster cluster, IReadOnlyList<(SiloProcess Silo, int MetricsPort)> silos)
    {
        var previous = new Dictionary<int, double>();
        var deadline = DateTime.UtcNow + PhaseTimeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var silo in silos)
            {
                var served = (await PrometheusScrape.ReadAsync(silo.MetricsPort)).Sum("grpo.weights.served_bytes", ("grpo_run", RunId), ("grpo_source", "relay"));
                if (previous.TryGetValue(silo.MetricsPort, out var before) && served > before) return silo;
                previous[silo.MetricsPort] = served;
            }
        }

        throw new TimeoutException($"no rollout silo was seen relaying chunks within {PhaseTimeout.TotalSeconds} s.\n{cluster.Logs()}");
    }

    private static async Task<double> SumAsync(IEnumerable<(SiloProcess Silo, int MetricsPort)> silos, string instrument)
    {
        var sum = 0.0;
        foreach (var silo in silos)
        {
            sum += (await PrometheusScrape.ReadAsync(silo.MetricsPort)).Sum(instrument, ("grpo_run", RunId));
        }

        return sum;
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        return await condition();
    }

    private static bool GeneratedOn(ReportedStep step, SiloProcess silo) =>
        step.CompletionsBySilo.Keys.Any(address => address.Contains($":{silo.SiloPort.ToString(CultureInfo.InvariantCulture)}:", StringComparison.Ordinal));
}
