using Grpo.Core.Checkpoints;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Rollout;

public sealed class RolloutEngineWeightTests
{
    const string Run = "weights-run";

    static RolloutEngine Engine(IWeightSource source) =>
        new(source, new RunAssetsCache(), new RolloutEngineOptions { PullParallelism = 3, WorkerName = "weights-torch" });

    [Fact]
    public async Task A_request_needing_a_newer_version_makes_the_engine_pull_it()
    {
        var first = TinyPolicy.Image(seed: 1);
        var second = TinyPolicy.Image(seed: 2);
        var source = new FakeWeightSource();
        source.Publish(Run, 1, first);
        var config = TinyPolicy.Config with { TopK = 1 };
        int[][] prompts = [TinyPolicy.Prompt(0), TinyPolicy.Prompt(1), TinyPolicy.Prompt(2)];
        await using var engine = Engine(source);

        var early = await engine.GenerateAsync(Run, config, prompts[0], 1, CancellationToken.None);
        Assert.Equal(1, early.PolicyVersion);
        source.Publish(Run, 2, second);
        // Version 1 still satisfies a request for version >= 1: nothing is pulled.
        var stillOne = await engine.GenerateAsync(Run, config, prompts[1], 1, CancellationToken.None);
        Assert.Equal(1, stillOne.PolicyVersion);
        Assert.Equal(1, engine.Stats.WeightPulls);

        var late = await engine.GenerateAsync(Run, config, prompts[2], 2, CancellationToken.None);

        Assert.Equal(2, late.PolicyVersion);
        Assert.Equal(2, engine.LoadedVersion(Run));
        Assert.Equal(2, engine.Stats.WeightPulls);
        Assert.Equal(2, engine.Stats.PolicyVersions[Run]);
        Assert.Equal(TinyPolicy.DirectGreedy(second, [prompts[2]], config)[0].Tokens, late.Tokens);
        Assert.Equal(TinyPolicy.DirectGreedy(first, [prompts[0]], config)[0].Tokens, early.Tokens);
    }

    [Fact]
    public async Task The_newest_published_version_is_loaded_even_when_an_older_one_would_do()
    {
        var source = new FakeWeightSource();
        source.Publish(Run, 1, TinyPolicy.Image(seed: 1));
        source.Publish(Run, 3, TinyPolicy.Image(seed: 3));
        await using var engine = Engine(source);

        var output = await engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None);

        Assert.Equal(3, output.PolicyVersion);
    }

    [Fact]
    public async Task Every_chunk_is_pulled_and_pulls_stay_off_the_torch_thread()
    {
        var image = TinyPolicy.Image(seed: 1);
        var source = new FakeWeightSource(chunkBytes: 100_000);
        source.Publish(Run, 1, image);
        await using var engine = Engine(source);

        await engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None);

        Assert.Equal((image.Length + 99_999) / 100_000, source.ChunkCalls);
        Assert.NotEmpty(source.CallingThreads);
        Assert.DoesNotContain("weights-torch", source.CallingThreads);
    }

    [Fact]
    public async Task A_corrupt_chunk_is_pulled_again_once_then_fails_the_batch_naming_run_and_version()
    {
        var source = new FakeWeightSource { Tamper = (_, index, chunk) => index == 2 ? Flip(chunk) : chunk };
        source.Publish(Run, 7, TinyPolicy.Image(seed: 1));
        await using var engine = Engine(source);

        var requests = Enumerable.Range(0, 3).Select(i => engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(i), 7, CancellationToken.None)).ToArray();

        foreach (var request in requests)
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => request);
            Assert.Contains($"run '{Run}' policy version 7", error.Message);
            Assert.Contains("SHA-256", error.Message);
            Assert.Contains("twice", error.Message);
        }
        Assert.Equal(2, source.ManifestCalls);
        Assert.Null(engine.LoadedVersion(Run));
        Assert.Equal(0, engine.Stats.Admissions);
    }

    [Fact]
    public async Task A_chunk_damaged_only_on_the_first_pull_is_repaired_by_the_retry()
    {
        var source = new FakeWeightSource { Tamper = (attempt, index, chunk) => attempt == 1 && index == 0 ? Flip(chunk) : chunk };
        source.Publish(Run, 1, TinyPolicy.Image(seed: 1));
        await using var engine = Engine(source);

        var output = await engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None);

        Assert.Equal(1, output.PolicyVersion);
        Assert.Equal(2, source.ManifestCalls);
    }

    [Fact]
    public async Task A_chunk_of_the_wrong_length_fails_with_its_index()
    {
        var source = new FakeWeightSource { Tamper = (_, index, chunk) => index == 1 ? chunk[..^4] : chunk };
        source.Publish(Run, 2, TinyPolicy.Image(seed: 1));
        await using var engine = Engine(source);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None));

        Assert.Contains($"run '{Run}' policy version 2", error.Message);
        Assert.Contains("chunk 1 has", error.Message);
    }

    [Fact]
    public async Task Weights_of_another_model_shape_are_refused_and_the_engine_keeps_serving()
    {
        var source = new FakeWeightSource();
        var wrong = TinyPolicy.Image(seed: 1);
        source.Publish(Run, 1, wrong[..^8]);
        await using var engine = Engine(source);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None));
        Assert.Contains($"run '{Run}' policy version 1", error.Message);

        source.Publish(Run, 2, wrong);
        var output = await engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None);
        Assert.Equal(2, output.PolicyVersion);
    }

    [Fact]
    public async Task The_in_memory_source_serves_what_was_published_and_waits_for_a_version_not_yet_there()
    {
        var source = new InMemoryWeightSource();
        var first = TinyPolicy.Image(seed: 1);
        source.Publish(Run, 1, WeightImage.Copy(first, 50_000));
        await using var engine = Engine(source);
        var config = TinyPolicy.Config with { TopK = 1 };

        var one = await engine.GenerateAsync(Run, config, TinyPolicy.Prompt(0), 0, CancellationToken.None);
        Assert.Equal(1, one.PolicyVersion);

        var waiting = engine.GenerateAsync(Run, config, TinyPolicy.Prompt(1), 2, CancellationToken.None);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        var second = TinyPolicy.Image(seed: 2);
        source.Publish(Run, 2, WeightImage.Copy(second, 50_000));
        var two = await waiting;

        Assert.Equal(2, two.PolicyVersion);
        Assert.Equal(TinyPolicy.DirectGreedy(second, [TinyPolicy.Prompt(1)], config)[0].Tokens, two.Tokens);
    }

    [Fact]
    public async Task The_in_memory_source_refuses_bad_publications()
    {
        var source = new InMemoryWeightSource();
        source.Publish(Run, 3, WeightImage.Copy([1, 2, 3], 2));
        Assert.Throws<ArgumentException>(() => source.Publish(Run, 3, WeightImage.Copy([1, 2, 3], 2)));
        Assert.Throws<ArgumentException>(() => source.Publish(Run, 4, WeightImage.Copy([], 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightImage.Copy([1], 0));
        source.Publish(Run, 4, WeightImage.Copy([9, 8, 7], 2));
        var gone = await Assert.ThrowsAsync<KeyNotFoundException>(() => source.GetChunkAsync(Run, 3, 0, CancellationToken.None));
        Assert.Contains("policy version 3", gone.Message);
        Assert.Equal([7], await source.GetChunkAsync(Run, 4, 1, CancellationToken.None));
    }

    static byte[] Flip(byte[] chunk)
    {
        var copy = (byte[])chunk.Clone();
        copy[copy.Length / 2] ^= 0x5A;
        return copy;
    }
}
