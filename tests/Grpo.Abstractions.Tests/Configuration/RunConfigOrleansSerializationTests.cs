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
            LossType = LossKind.DrGrpo,
            KlEstimator = KlEstimatorKind.K1,
            LrSchedule = LearningRateScheduleKind.WarmupCosine,
            LrWarmupSteps = 2,
            Task = "jsonl",
            DatasetPath = "/data/train.jsonl",
            ModelPath = "/models/m",
            WeightChunkBytes = 65536,
            SystemPrompt = "Be brief.",
            ComputeDtype = ComputeDtypeKind.Bfloat16,
            RewardWeights = new Dictionary<string, double> { ["answer"] = 1, ["length"] = 0.2 },
        };

        var copy = serializer.Deserialize<RunConfig>(serializer.SerializeToArray(config))!;

        Assert.Equal(config, copy);
        Assert.Equal(["\n", "###"], copy.StopStrings);
        Assert.Equal(0.2, copy.RewardWeights["length"]);
        Assert.Equal(RunConfigLoader.ToJson(config), RunConfigLoader.ToJson(copy));
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
