using System.Globalization;
using System.Text;

namespace Grpo.Benchmarks;

/// <summary>The short Markdown tables of a <see cref="SuiteReport"/>, as the README shows them.</summary>
internal static class MarkdownReport
{
    public static string Render(SuiteReport report, string command)
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(c, $"`{command}` — {report.StartedAt:yyyy-MM-dd HH:mm} UTC, {report.Machine.ProcessorCount} cores, " +
                         $"{report.Machine.TorchThreads} torch threads, {report.Machine.Os}{(report.Quick ? ", quick form" : "")}.");
        md.AppendLine();
        if (report.Rollout is { } rollout)
        {
            md.AppendLine("| preset | workload | batch | completion tokens (min / median / max) | engine in cluster (tokens/s) | plain batcher (tokens/s) | ratio |");
            md.AppendLine("|---|---|---:|---|---:|---:|---:|");
            foreach (var r in rollout.Rows)
            {
                var lengths = r.CompletionLengths.Order().ToArray();
                md.AppendLine(c, $"| {r.Preset} | {r.Workload} | {r.BatchSize} | {lengths[0]} / {lengths[lengths.Length / 2]} / {lengths[^1]} | " +
                                 $"{r.EngineTokensPerSecond:0} | {r.PlainTokensPerSecond:0} | {r.Ratio:P0} |");
            }
            md.AppendLine();
        }
        if (report.Step is { } step)
        {
            var m = step.Median;
            md.AppendLine(c, $"One GRPO step of the {step.Preset} preset ({step.PromptsPerStep} prompts x {step.GroupSize}, median of {step.MeasuredSteps}):");
            md.AppendLine();
            md.AppendLine("| part | seconds | share |");
            md.AppendLine("|---|---:|---:|");
            foreach (var (name, seconds) in new[]
                     {
                         ("generate", m.GenerateSeconds), ("score", m.ScoreSeconds), ("learner forward-backward", m.ForwardBackwardSeconds),
                         ("optimizer", m.OptimizerSeconds), ("weight publish", m.PublishSeconds), ("Orleans messaging and scheduling", m.MessagingSeconds),
                     })
                md.AppendLine(c, $"| {name} | {seconds:0.000} | {m.Share(seconds):P1} |");
            md.AppendLine(c, $"| **step in the cluster** | {m.ClusterStepSeconds:0.000} | |");
            md.AppendLine();
            md.AppendLine(c, $"Columns are medians over the steps; the median of each step's own messaging share is {step.MessagingShare:P1}. In the cluster the " +
                             $"rollout phase (prompt grains until every group reached the learner) took {m.ClusterRolloutSeconds:0.000} s in {m.EngineAdmissions} engine " +
                             $"admissions with {m.PromptPrefills} prompt prefills, the learner grain's update and publication {m.ClusterStepSeconds - m.ClusterRolloutSeconds:0.000} s.");
            md.AppendLine();
        }
        if (report.Learner is { } learner)
        {
            md.AppendLine("| learner | parameters | completions | s/step | trained tokens/s | achieved GFLOP/s | matmul GFLOP/s | fraction |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in learner.Rows)
                md.AppendLine(c, $"| {r.Preset} | {r.Parameters / 1e6:0.0}M | {r.Completions} | {r.SecondsPerStep:0.00} | {r.TokensPerSecond:0} | " +
                                 $"{r.AchievedGflopsPerSecond:0.0} | {r.MatmulGflopsPerSecond:0.0} | {r.FractionOfMatmul:P0} |");
            md.AppendLine();
        }
        if (report.Publication is { } publication)
        {
            md.AppendLine(c, $"Weight publication, two silos on loopback: {publication.Preset}, {publication.ImageMegabytes:0} MB image, " +
                             $"median {publication.MedianMegabytesPerSecond:0} MB/s over {publication.Pulls} pulls.");
            if (publication.Stages is { } stages)
                md.AppendLine(c, $"Stages: SHA-256 alone {stages.Hash}; chunks without hashing, one at a time {stages.SerialFetch}, " +
                                 $"{stages.Parallelism} at a time {stages.ParallelFetch}.");
            md.AppendLine();
        }
        if (report.LongTail is { } longTail)
        {
            md.AppendLine("| long-tailed workload | requests | slots | completion tokens (median / cap) | static tokens/s | continuous tokens/s | ratio |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var r in longTail.Rows)
                md.AppendLine(c, $"| {r.Preset} | {r.Requests} | {r.Slots} | {r.MedianCompletion} / {r.LongestCompletion} | {r.StaticTokensPerSecond:0} | " +
                                 $"{r.ContinuousTokensPerSecond:0} | {r.Ratio:0.00}x |");
            md.AppendLine();
        }
        if (report.Batching is { } batching)
        {
            md.AppendLine(c, $"Engine batching: {batching.Batched.TokensPerSecond:0} tokens/s batched vs {batching.OneAtATime.TokensPerSecond:0} one at a time ({batching.Speedup:0.0}x).");
            md.AppendLine();
        }
        if (report.Memory is { } memory)
        {
            md.AppendLine(c, $"Memory of the embedded `grpo train`, {memory.Shape} shape, 2 steps, one child process per case (peak = its VmHWM); accounted GB from tensor sizes:");
            md.AppendLine();
            md.AppendLine("| case | peak GB | B/param | policy | grads | optimizer | reference | engine copy | publication | logits | rest |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in memory.Rows)
            {
                var a = r.Accounting;
                md.AppendLine(c, $"| {r.Case}{(r.Succeeded ? "" : " (failed)")} | {r.PeakBytes / 1e9:0.00} | {r.BytesPerParameter:0.0} | {a.Policy / 1e9:0.00} | " +
                                 $"{a.Gradients / 1e9:0.00} | {a.Optimizer / 1e9:0.00} | {a.Reference / 1e9:0.00} | {a.EngineCopy / 1e9:0.00} | " +
                                 $"{a.Publication / 1e9:0.00} | {a.Logits / 1e9:0.00} | {(r.PeakBytes - a.Total) / 1e9:0.00} |");
            }
            md.AppendLine();
            if (memory.Learner is { } l)
            {
                md.AppendLine(c, $"Learner at that shape: {l.AchievedGflopsPerSecond:0.0} GFLOP/s = {l.FractionOfMatmul:P0} of the matmul probe's {l.MatmulGflopsPerSecond:0.0} GFLOP/s " +
                                 $"({l.SecondsPerStep:0.00} s/step, {l.Completions} completions).");
                md.AppendLine();
            }
        }
        if (report.ScaleOut is { } scaleOut) RenderScaleOut(md, scaleOut);
        md.AppendLine(c, $"Peak memory: {report.PeakMemoryMb:0} MB ({report.Machine.PeakMemoryNote}).");
        md.AppendLine();
        md.AppendLine("Targets:");
        md.AppendLine();
        foreach (var target in report.Targets) md.AppendLine(c, $"- {target.Describe()}");
        return md.ToString();
    }

    /// <summary>The scale-out benchmark's three tables; each row carries the load averages it was measured under.</summary>
    static void RenderScaleOut(StringBuilder md, ScaleOutReport scaleOut)
    {
        var c = CultureInfo.InvariantCulture;
        if (scaleOut.Rollout.Count > 0)
        {
            md.AppendLine("| rollout silos (1 core, 1 torch thread each) | workload | in flight | tokens/s | completions by silo | load (1/5/15 min) |");
            md.AppendLine("|---:|---|---:|---:|---|---|");
            foreach (var r in scaleOut.Rollout)
                md.AppendLine(c, $"| {r.Silos} | {r.Preset}, up to {r.MaxCompletionTokens} tokens, batch {r.RolloutMaxBatch} | {r.InFlight} | {r.TokensPerSecond:0} | " +
                                 $"{string.Join(" / ", r.CompletionsBySilo.Values)} | {r.Load} |");
            if (scaleOut.RolloutRatio is { } ratio) md.AppendLine(c, $"| 2 / 1 | | | {ratio:0.00}x | | |");
            md.AppendLine();
        }
        if (scaleOut.Egress.Count > 0)
        {
            md.AppendLine("| preset | image MB | rollout silos | versions pulled | learner egress (images/version) | relayed (images/version) | load (1/5/15 min) |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---|");
            foreach (var e in scaleOut.Egress)
                md.AppendLine(c, $"| {e.Preset} | {e.ImageMegabytes:0.0} | {e.Silos} | {e.Versions} | {e.LearnerImagesPerVersion:0.00} | {e.RelayedImagesPerVersion:0.00} | {e.Load} |");
            md.AppendLine();
        }
        if (scaleOut.Staleness.Count > 0)
        {
            md.AppendLine("| max_staleness | measured steps | seconds | steps/hour | generate s/step | train s/step | final accuracy | load (1/5/15 min) |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var s in scaleOut.Staleness)
                md.AppendLine(c, $"| {s.MaxStaleness} | {s.MeasuredSteps} | {s.Seconds:0.0} | {s.StepsPerHour:0} | {s.MeanGenerateSeconds:0.000} | {s.MeanTrainSeconds:0.000} | " +
                                 $"{(s.FinalAccuracy is { } accuracy ? accuracy.ToString("P1", c) : "-")} | {s.Load} |");
            if (scaleOut.StalenessRatio is { } ratio) md.AppendLine(c, $"| 1 / mean of 0 | | | {ratio:0.00}x | | | | |");
            md.AppendLine();
        }
    }
}
