using System.Globalization;
using System.Text.RegularExpressions;
using Grpo.Core.Checkpoints;
using Xunit.Abstractions;

namespace Grpo.Integration.Tests;

/// <summary>
/// A run of real silo processes on PostgreSQL, submitted and followed by the built grpo client, through crashes: a rollout
/// silo killed with SIGKILL, a silo joining mid-run, and the silo holding the learner killed while another learner silo is up.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class CrashScenarioTests(PostgresServer server, ITestOutputHelper output)
{
    private const string RunId = "crash-run";
    private const int Steps = 40;
    private const int PromptsPerStep = 8;
    private const int GroupSize = 4;
    private const int CheckpointEvery = 5;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(3);

    // A batch starts only after this quiet period, so every step takes at least this long however idle the machine: the
    // run cannot finish before the test, which polls through client processes, has seen a silo join and killed the learner.
    private const int BatchWaitMs = 600;

    // Tiny and fast: a few warm-up steps, one optimizer step per GRPO step (minibatch = prompts × group), every checkpoint kept.
    private static readonly string Config = $$"""
        {
          "seed": 7,
          "steps": {{Steps}},
          "prompts_per_step": {{PromptsPerStep}},
          "group_size": {{GroupSize}},
          "minibatch_size": {{PromptsPerStep * GroupSize}},
          "max_completion_tokens": 4,
          "task": {"name": "arithmetic", "max_operand": 9},
          "held_out_size": 16,
          "warmup_sft_steps": 10,
          "eval_every": 0,
          "checkpoint_every": {{CheckpointEvery}},
          "keep_checkpoints": {{Steps / CheckpointEvery}},
          "completion_timeout_seconds": 10,
          "rollout_batch_wait_ms": {{BatchWaitMs}}
        }
        """;

    [Fact]
    public async Task A_run_survives_a_killed_rollout_silo_a_joining_silo_and_a_killed_learner_silo_and_trains_every_step_once()
    {
        await using var cluster = await ScenarioCluster.StartAsync(server, "rollout,learner", "rollout", "rollout");
        var (first, rollout) = (cluster.Silos[0], cluster.Silos[1]);

        var submitted = await cluster.ClientAsync("submit", "--config", cluster.WriteConfig("run.json", Config), "--run-id", RunId);
        Assert.True(submitted.ExitCode == 0, submitted.Describe("grpo submit"));
        Assert.Equal(RunId, submitted.StandardOutput.Trim());

        // 1. A 4th silo (which can also hold the learner) joins mid-run, then a rollout silo dies without warning. The join
        // is awaited before the kill: a silo joining while a dead one is not yet declared dead waits for it (seen: 12 s, on
        // a fast machine most of the run), and the joined silo must come in early enough to serve steps before the end.
        await cluster.WaitUntilAsync(RunId, run => run.Status.Step >= 3, PhaseTimeout);
        var joined = cluster.Launch("rollout,learner");
        await cluster.WaitForJoinAsync(joined);
        output.WriteLine($"silo {joined.SiloPort} joined");
        var atRolloutKill = await cluster.WaitUntilAsync(RunId, _ => true, PhaseTimeout);
        rollout.Kill();
        output.WriteLine($"killed rollout silo {rollout.SiloPort} at step {atRolloutKill.Status.Step}");

        // 2. Once the new silo has generated completions and a checkpoint exists, the silo holding the learner dies. That is
        // the first silo unless the learner moved to the joined one meanwhile; either way the other learner silo is the standby.
        var atLearnerKill = await cluster.WaitUntilAsync(RunId,
            run => run.Status.Step > CheckpointEvery && run.Metrics.Any(step => GeneratedOn(step, joined)), PhaseTimeout);
        var learnerSilo = await LearnerSiloAsync(cluster, first, joined);
        var standby = learnerSilo == first ? joined : first;
        var restoresBefore = RestoredFrom().Matches(standby.Output).Count;
        learnerSilo.Kill();
        output.WriteLine($"killed learner silo {learnerSilo.SiloPort} at step {atLearnerKill.Status.Step}; standby {standby.SiloPort}");

        var finished = await cluster.WaitUntilAsync(RunId, run => run.Status.IsFinished, PhaseTimeout);

        // How the cluster recovered, for whoever reads the test's output: first, so that a failure's cause leads it.
        output.WriteLine($"run ended {finished.Status.State} at step {finished.Status.Step}: {finished.Status.Error}");
        foreach (var line in cluster.Logs().Split('\n').Where(line => Recovery().IsMatch(line)))
        {
            output.WriteLine(line.Length > 400 ? line[..400] : line);
        }

        Assert.True(finished.Status.State == "Completed", $"run ended {finished.Status.State}: {finished.Status.Error}\n{cluster.Logs()}");
        Assert.Equal(Steps, finished.Status.Step);
        Assert.Equal(Steps, finished.Status.PolicyVersion);

        // Every step recorded once, each from exactly prompts_per_step groups of group_size completions (the learner refuses
        // a group of any other size and a step with a missing group), all counted by the silos that generated them.
        Assert.Equal(Enumerable.Range(0, Steps).Select(step => (long)step), finished.Metrics.Select(step => step.Step));
        Assert.All(finished.Metrics, step => Assert.Equal(PromptsPerStep * GroupSize, step.Completions));
        Assert.All(finished.Metrics, step => Assert.Equal(PromptsPerStep * GroupSize, step.CompletionsBySilo.Values.Sum()));

        // The silo that joined mid-run received completion grains; the rollout silo generated nothing once it was dead. (The
        // learner's silo may still appear after its kill: steps redone from the checkpoint reuse completions finished before.)
        foreach (var step in finished.Metrics)
        {
            output.WriteLine($"step {step.Step}: " + string.Join(", ", step.CompletionsBySilo.OrderBy(silo => silo.Key).Select(silo => $"{silo.Key} {silo.Value}")));
        }

        Assert.Contains(finished.Metrics, step => GeneratedOn(step, joined));
        Assert.All(finished.Metrics.Where(step => step.Step > atLearnerKill.Status.Step), step => Assert.False(GeneratedOn(step, rollout)));

        // The learner came back on the standby learner silo from a checkpoint at or after the last one the run had passed.
        Assert.Equal(standby, await LearnerSiloAsync(cluster, first, joined));
        var restores = RestoredFrom().Matches(standby.Output);
        Assert.True(restores.Count > restoresBefore, $"the standby learner silo restored no checkpoint after the kill:\n{standby.Output}");
        var restored = restores[^1];
        var restoredStep = int.Parse(restored.Groups["step"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(0, restoredStep % CheckpointEvery);
        Assert.InRange(restoredStep, atLearnerKill.Status.Step / CheckpointEvery * CheckpointEvery, Steps - 1);

        // No step trained twice in the policy that finished: its optimizer made exactly one update per step, across the restore.
        var latest = TrainingCheckpoint.FindLatest(Path.Combine(cluster.CheckpointDirectory, RunId));
        Assert.Equal(Path.Combine(cluster.CheckpointDirectory, RunId, $"step-{Steps:D8}"), latest);
        var optimizer = SafeTensors.Load(Path.Combine(latest!, TrainingCheckpoint.OptimizerFileName));
        try
        {
            Assert.Equal(Steps, optimizer["step"].item<long>());
        }
        finally
        {
            foreach (var tensor in optimizer.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static async Task<SiloProcess> LearnerSiloAsync(ScenarioCluster cluster, params SiloProcess[] learnerSilos)
    {
        var ports = await GrainLocation.SiloPortsHostingAsync(cluster.ConnectionString, cluster.ClusterId, "LearnerGrain", RunId,
            cluster.Silos.Where(silo => !silo.HasExited).Select(silo => silo.SiloPort).ToArray());
        return Assert.Single(learnerSilos, silo => !silo.HasExited && ports.Contains(silo.SiloPort));
    }

    private static bool GeneratedOn(ReportedStep step, SiloProcess silo) =>
        step.CompletionsBySilo.Keys.Any(address => address.Contains($":{silo.SiloPort.ToString(CultureInfo.InvariantCulture)}:", StringComparison.Ordinal));

    [GeneratedRegex(@"restored from checkpoint|re-activated at step|the learner was lost|the learner resumed at step")]
    private static partial Regex Recovery();

    [GeneratedRegex(@"restored from checkpoint \S+ at step (?<step>\d+)")]
    private static partial Regex RestoredFrom();
}
