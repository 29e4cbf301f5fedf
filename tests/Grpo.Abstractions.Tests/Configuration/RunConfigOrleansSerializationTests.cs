using Grpo.Abstractions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Grpo.Abstractions.Tests.Configuration;

public sealed class RunConfigOrleansSerializationTests
{
    [Fact]
    public void Orleans_serializer_round_trips_a_run_config()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var config = new RunConfig
        {
            Seed = 5,
            Temperature = 0.7f,
            StopStrings = ["\n", "###"],
            EpsilonHigh = 0.28f,
            LossType = "dr_grpo",
            KlEstimator = "k1",
            AdvantageEstimator = new ComponentSpec("grpo").WithParameter("scale", "batch"),
            LrSchedule = "constant",
            LrWarmupSteps = 2,
            Task = new ComponentSpec("jsonl").WithParameter("path", "/data/train.jsonl"),
            ModelPath = "/models/m",
            WeightChunkBytes = 65536,
            SystemPrompt = "Be brief.",
            ComputeDtype = "bfloat16",
            Rewards = [new ComponentSpec("answer"), new ComponentSpec("length").WithParameter("weight", 0.2)],
        };

        var copy = serializer.Deserialize<RunConfig>(serializer.SerializeToArray(config))!;

        Assert.Equal(config, copy);
        Assert.Equal(["\n", "###"], copy.StopStrings);
        Assert.Equal(0.2, copy.Rewards[1].Parameter("weight")!.Value.GetDouble());
        Assert.Equal("/data/train.jsonl", copy.Task.Parameter("path")!.Value.GetString());
        Assert.Equal("bfloat16", copy.ComputeDtype);
    }

    [Fact]
    public void Orleans_serializer_round_trips_the_defaults()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();

        Assert.Equal(new RunConfig(), serializer.Deserialize<RunConfig>(serializer.SerializeToArray(new RunConfig())));
    }

    [Fact]
    public void Orleans_does_not_copy_it_because_it_is_immutable()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var copier = services.GetRequiredService<DeepCopier<RunConfig>>();
        var config = new RunConfig { StopStrings = ["###"] };

        Assert.Same(config, copier.Copy(config));
    }
}
