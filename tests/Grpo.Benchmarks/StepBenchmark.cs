using System.Diagnostics;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Core.Algorithm;
using Grpo.Core.Checkpoints;
using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Core.Rewards;
using Grpo.Core.Training;
using Grpo.Grains.Learning;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace Grpo.Benchmarks;

/// <summary>
/// Where the seconds of one GRPO step of the demo run go. Each step runs twice, alternately: through the cluster
/// (prompt grains fanning out to completion grains and the rollout engine, then the learner grain's update and
/// publication, in an in-process silo), and as the same work done directly in this process without Orleans, each part
/// timed: generate (the engine's continuous batcher on the same sample keys), score, learner forward-backward (with the reference forward), optimizer, weight publish (capture,
/// checksum, verify, load). Orleans messaging and scheduling is what the cluster step takes beyond the sum of its parts.
/// </summary>
internal static class StepBenchmark
{
    const string RunId = "bench-step";

    public static async Task<StepReport> RunAsync(bool quick, TextWriter log)
    {
        var config = BenchRuns.Config(BenchRuns.DemoPreset);
        if (quick) config = config with { PromptsPerStep = 8 };
        var assets = RunAssets.Create(config);
        using var folder = new BenchFolder();
        await using var silo = await BenchSilo.StartAsync(rollout: true, learner: true, folder.Path);
        var engine = silo.Services.GetRequiredService<RolloutEngine>();
        var learnerGrain = silo.Grains.GetGrain<ILearnerGrain>(RunId);
        await learnerGrain.InitializeAsync(config);
        using var direct = new DirectStep(assets);
        log.WriteLine($"step {config.ModelPreset}: {config.PromptsPerStep} prompts x {config.GroupSize} completions, max_completion_tokens {config.MaxCompletionTokens}");

        var measuredSteps = quick ? 1 : 12;
        // Unmeasured first steps: the engine builds its model, libtorch sizes its buffers, and the runtime recompiles hot
        // methods (tiered compilation promotes a method after 30 calls, in the background), which takes the cluster's far
        // larger code path a few steps. A training run lives for hundreds of steps after that.
        var warmUpSteps = quick ? 1 : 4;
        var splits = new List<StepSplit>();
        for (var step = 0; step < warmUpSteps + measuredSteps; step++)
        {
            var examples = assets.Batch(step, config.PromptsPerStep);
            // The direct run goes first on odd steps, second on even ones, so a burst of load hits both sides alike.
            var directFirst = step % 2 == 1;
            var parts = directFirst ? await direct.RunAsync(examples, step) : null;
            var engineBefore = engine.Stats;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(examples.Select((example, index) => silo.Grains.GetGrain<IPromptGrain>(GrainKeys.Prompt(RunId, step, index, 0))
                .RunAsync(new PromptAssignment(RunId, config, step, index, example.Prompt, example.Answer, assets.Codec.EncodePrompt(example.Prompt), step))));
            var rolloutSeconds = clock.Elapsed.TotalSeconds;
            await learnerGrain.TrainStepAsync(step, examples.Count);
            var clusterSeconds = clock.Elapsed.TotalSeconds;
            var engineAfter = engine.Stats;
            var admissions = engineAfter.Admissions - engineBefore.Admissions;
            var prefills = engineAfter.PromptsPrefilled - engineBefore.PromptsPrefilled;
            parts ??= await direct.RunAsync(examples, step);
            if (step < warmUpSteps) continue;
            var split = parts with
            {
                ClusterStepSeconds = clusterSeconds, ClusterRolloutSeconds = rolloutSeconds, EngineAdmissions = admissions, PromptPrefills = prefills,
            };
            splits.Add(split);
            log.WriteLine($"  step {step}: cluster {clusterSeconds:0.000} s (rollout {rolloutSeconds:0.000}, learner {clusterSeconds - rolloutSeconds:0.000}); direct generate {split.GenerateSeconds:0.000}, score {split.ScoreSeconds:0.000}, " +
                          $"forward-backward {split.ForwardBackwardSeconds:0.000}, optimizer {split.OptimizerSeconds:0.000}, publish {split.PublishSeconds:0.000} s; " +
                          $"engine {admissions} admissions, {prefills} prompt prefills for {examples.Count * config.GroupSize} completions; messaging {split.MessagingShare:P0}");
        }

        var median = StepSplit.Median(splits);
        var messagingShare = StepSplit.MedianOf(splits.Select(s => s.MessagingShare));
        log.WriteLine($"  median step {median.ClusterStepSeconds:0.000} s; median share of Orleans messaging and scheduling {messagingShare:P1}");
        return new StepReport(config.ModelPreset, config.PromptsPerStep, config.GroupSize, config.MaxCompletionTokens, splits.Count, median, messagingShare, splits);
    }

    /// <summary>The step's work without Orleans: a policy, its reference, a learner and a rollout copy of the model.</summary>
    sealed class DirectStep : IDisposable
    {
        readonly RunAssets assets;
        readonly CausalLM policy;
        readonly CausalLM? reference;
        readonly CausalLM rolloutModel;
        readonly GrpoLearner learner;
        readonly WeightPublication publication;
        ContinuousBatcher? batcher;

        public DirectStep(RunAssets assets)
        {
            this.assets = assets;
            var config = assets.Config;
            torch.manual_seed(config.Seed);
            policy = new CausalLM(assets.Model);
            reference = config.Beta > 0 ? ReferencePolicy.FrozenCopy(policy) : null;
            learner = new GrpoLearner(policy, reference, RunOptions.Learner(config), assets.PadTokenId);
            rolloutModel = new CausalLM(assets.Model);
            rolloutModel.eval();
            publication = new WeightPublication();
        }

        public async Task<StepSplit> RunAsync(IReadOnlyList<Core.Tasks.TaskExample> examples, long step)
        {
            var config = assets.Config;
            var prompts = examples.Select(e => assets.Codec.EncodePrompt(e.Prompt)).ToArray();
            var rows = prompts.SelectMany(p => Enumerable.Repeat(p, config.GroupSize)).ToArray();
            // Keyed as the prompt grains key their completions, so both sides sample the same tokens and do the same work.
            var requests = rows.Select((prompt, r) => new DecodeRequest(prompt,
                new SampleKey(unchecked((ulong)config.Seed), step, r / config.GroupSize, r % config.GroupSize, Attempt: 0))).ToArray();

            var clock = Stopwatch.StartNew();
            var sequences = Batcher(prompts.Max(prompt => prompt.Length)).Run(requests);
            var generate = clock.Elapsed.TotalSeconds;

            clock.Restart();
            var rewards = new float[rows.Length];
            for (var r = 0; r < rows.Length; r++)
            {
                var example = examples[r / config.GroupSize];
                rewards[r] = await assets.Reward.ScoreAsync(new RewardInput(example.Prompt, assets.Codec.DecodeCompletion(sequences[r].Tokens), example.Answer));
            }
            var advantages = RunOptions.Advantages(config).Compute(rewards, config.GroupSize).Advantages;
            var score = clock.Elapsed.TotalSeconds;

            var samples = rows.Select((prompt, r) => new CompletionSample(prompt, sequences[r].Tokens, sequences[r].LogProbs, advantages[r],
                sequences[r].FinishReason == FinishReason.Length, step)).ToArray();
            var before = (learner.ReferenceTime, learner.ForwardBackwardTime, learner.OptimizerTime);
            learner.Train(samples);
            var forwardBackward = (learner.ReferenceTime - before.ReferenceTime + learner.ForwardBackwardTime - before.ForwardBackwardTime).TotalSeconds;
            var optimizer = (learner.OptimizerTime - before.OptimizerTime).TotalSeconds;

            // Publication as the cluster does it: capture and checksum on the learner, verify and load on the rollout side.
            clock.Restart();
            var manifest = publication.Publish(step + 1, WeightSnapshot.Capture(policy, config.WeightChunkBytes));
            var image = new WeightImage(Enumerable.Range(0, manifest.ChunkCount).Select(chunk => publication.Chunk(manifest.Version, chunk)).ToArray(), manifest.ChunkBytes);
            if (image.Sha256() != manifest.Sha256) throw new InvalidDataException("benchmark publication: checksum mismatch");
            WeightSnapshot.Restore(rolloutModel, image, "benchmark publication");
            var publish = clock.Elapsed.TotalSeconds;

            return new StepSplit(0, generate, score, forwardBackward, optimizer, publish);
        }

        /// <summary>The batcher the rollout engine builds for the run (slots, prompt room, stop rule), kept across steps as it does.</summary>
        ContinuousBatcher Batcher(int longestPrompt)
        {
            if (batcher is not null && batcher.MaxPromptTokens >= longestPrompt) return batcher;
            batcher?.Dispose();
            var sampling = RunOptions.Sampling(assets.Config, assets.Codec.StopTokenIds);
            var room = assets.Model.MaxPositionEmbeddings - sampling.MaxNewTokens;
            return batcher = new ContinuousBatcher(rolloutModel, sampling, Math.Max(1, assets.Config.RolloutMaxBatch),
                Math.Min(room, Math.Max(RunPolicy.MinSlotPromptTokens, 2 * longestPrompt)), assets.Codec.DecodeUntilStop);
        }

        public void Dispose()
        {
            batcher?.Dispose();
            learner.Dispose();
            rolloutModel.Dispose();
            reference?.Dispose();
            policy.Dispose();
        }
    }
}
