using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Resilience;
using Grpo.Grains.Rollout;
using Microsoft.Extensions.Logging;

namespace Grpo.Grains;

/// <summary>
/// One prompt of one step: spawns the group's G completion grains and hands the group with its rewards to the learner,
/// which computes the advantages of the whole step when it trains. A group the learner refuses as too stale is
/// regenerated from a newer policy under fresh completion keys.
/// </summary>
public sealed class PromptGrain(ILogger<PromptGrain> logger) : Grain, IPromptGrain
{
    const int MaxRegenerations = 3;
    GroupOutcome? outcome;

    public async Task<GroupOutcome> RunAsync(PromptAssignment assignment)
    {
        if (outcome is not null) return outcome;
        var config = assignment.Config;
        var pipeline = GrpoResilience.CompletionCalls(TimeSpan.FromSeconds(config.CompletionTimeoutSeconds), logger);
        var learner = GrainFactory.GetGrain<ILearnerGrain>(assignment.RunId);
        var minVersion = assignment.MinPolicyVersion;

        for (var attempt = 0; ; attempt++)
        {
            var request = new CompletionRequest(assignment.RunId, config, assignment.Prompt, assignment.Answer, assignment.PromptTokens, minVersion)
            {
                Lineage = assignment.Lineage,
                Metadata = assignment.Metadata,
            };
            var completions = await Task.WhenAll(Enumerable.Range(0, config.GroupSize).Select(i =>
            {
                var key = GrainKeys.Completion(assignment.RunId, assignment.Step, assignment.PromptIndex, i, attempt);
                // WaitAsync lets the pipeline's timeout abandon a call whose silo died without answering.
                var sample = request with { Coordinates = new CompletionCoordinates(assignment.Step, assignment.PromptIndex, i, attempt) };
                return pipeline.ExecuteOnCallerContextAsync(token => GrainFactory.GetGrain<ICompletionGrain>(key).GenerateAsync(sample).WaitAsync(token));
            }));

            var rewards = completions.Select(c => c.Reward).ToArray();
            // Equal rewards give every completion a zero advantage, however the learner scales them.
            var zeroStd = rewards.All(reward => reward == rewards[0]);
            if (config.DynamicSampling && zeroStd)
            {
                // The group teaches nothing, so it is held back and the run replaces it with a fresh prompt (DAPO's
                // dynamic sampling).
                outcome = Outcome(assignment, completions, rewards, zeroStd, attempt) with { Filtered = true };
                return outcome;
            }
            var group = new ScoredGroup(assignment.RunId, assignment.Step, assignment.PromptIndex, assignment.PromptTokens, completions)
            {
                Prompt = assignment.Prompt,
                Answer = assignment.Answer,
            };
            var submission = await learner.SubmitGroupAsync(group);
            if (submission.Acceptance == GroupAcceptance.OtherLineage)
                throw new PolicyUnavailableException(
                    $"group {group.GroupId} of run {assignment.RunId} was sampled for a learner since replaced; the run redoes step {assignment.Step}.");
            if (submission.Acceptance != GroupAcceptance.Stale || attempt + 1 >= MaxRegenerations)
            {
                if (submission.Acceptance == GroupAcceptance.Stale)
                    throw new InvalidOperationException(
                        $"group {group.GroupId} of run {assignment.RunId} was still too stale after {MaxRegenerations} generations.");
                outcome = Outcome(assignment, completions, rewards, zeroStd, attempt);
                return outcome;
            }
            minVersion = Math.Max(minVersion, submission.LearnerPolicyVersion - config.MaxStaleness);
            logger.LogInformation("Group {Group} of run {Run} was stale; regenerating from policy version {Version} or newer.",
                group.GroupId, assignment.RunId, minVersion);
        }
    }

    static GroupOutcome Outcome(PromptAssignment assignment, CompletionResult[] completions, float[] rewards, bool zeroStd, int attempt) =>
        new(assignment.PromptIndex, completions.Length, rewards.Average(), zeroStd, completions.Sum(c => c.Tokens.Length), attempt,
            completions.Min(c => c.PolicyVersion), completions.GroupBy(c => c.Silo).ToDictionary(g => g.Key, g => g.Count()))
        {
            RewardComponents = completions.SelectMany(c => c.RewardComponents).GroupBy(score => score.Key)
                .ToDictionary(scores => scores.Key, scores => scores.Average(score => (double)score.Value)),
        };
}
