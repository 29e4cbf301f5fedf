using System.Diagnostics;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Core.Tasks;
using Grpo.Grains.Resilience;
using Grpo.Grains.Runs;
using Microsoft.Extensions.Logging;

namespace Grpo.Grains.Steps;

/// <summary>The rollouts of one step: its prompts sent out to prompt grains, and with dynamic_sampling the rounds that replace uninformative groups.</summary>
/// <param name="generation">
/// The loop generation (see <see cref="RunRecord.LoopGeneration"/>). Prompt grains remember the group they handed
/// over; after a learner loss, a re-activation or a resume the learner may not have seen it, so redone steps use
/// fresh prompt grains. Completion keys and group ids stay the same, so finished completions are reused and a group
/// delivered twice is still refused as a duplicate.
/// </param>
/// <param name="lineage">The learner lineage the loop trains: completions of any other are refused.</param>
internal sealed class StepRollout(
    string runId, RunConfig config, IGrainFactory grains, RunAssetsCache assetsCache, int generation, LearnerLineage lineage, ILogger logger)
{
    /// <summary>Every group of <paramref name="step"/>, sampled from policy version <paramref name="minVersion"/> or newer, and the seconds it took.</summary>
    /// <remarks>
    /// With dynamic_sampling, groups whose rewards were all equal come back filtered (the learner never saw them) and
    /// up to dynamic_sampling_max_rounds rounds of fresh prompts, drawn from seed, step and round, replace them until
    /// the step has prompts_per_step informative groups. The result holds filtered outcomes too, for the metrics.
    /// </remarks>
    public async Task<(GroupOutcome[] Outcomes, double Seconds)> RunAsync(long step, long minVersion)
    {
        var clock = Stopwatch.StartNew();
        var assets = assetsCache.Get(runId, config);
        var pipeline = GrpoResilience.PromptCalls(logger);
        Task<GroupOutcome[]> Run(IReadOnlyList<TaskExample> examples, int firstIndex) =>
            Task.WhenAll(examples.Select((example, offset) => pipeline.ExecuteOnCallerContextAsync(_ =>
                grains.GetGrain<IPromptGrain>(GrainKeys.Prompt(runId, step, firstIndex + offset, generation)).RunAsync(new PromptAssignment(
                    runId, config, step, firstIndex + offset, example.Prompt, example.Answer, assets.Codec.EncodePrompt(example.Prompt), minVersion)
                {
                    Lineage = lineage,
                    Metadata = example.Metadata.Count == 0 ? null : example.Metadata,
                }))));

        var outcomes = new List<GroupOutcome>(await Run(assets.Batch(step, config.PromptsPerStep), 0));
        for (var round = 1; config.DynamicSampling && round <= config.DynamicSamplingMaxRounds; round++)
        {
            var missing = config.PromptsPerStep - outcomes.Count(o => !o.Filtered);
            if (missing <= 0) break;
            outcomes.AddRange(await Run(assets.Replacements(step, round, missing), outcomes.Count));
        }
        if (config.DynamicSampling && outcomes.Count(o => !o.Filtered) < config.PromptsPerStep)
            logger.LogInformation("Run {Run} step {Step}: {Kept} of {Wanted} groups had differing rewards after {Rounds} replacement rounds.",
                runId, step, outcomes.Count(o => !o.Filtered), config.PromptsPerStep, config.DynamicSamplingMaxRounds);
        return ([.. outcomes], clock.Elapsed.TotalSeconds);
    }
}
