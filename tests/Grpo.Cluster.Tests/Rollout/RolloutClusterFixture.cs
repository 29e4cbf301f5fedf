using Grpo.Grains.Rollout;
using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Grpo.Cluster.Tests.Rollout;

/// <summary>
/// A one-silo in-process cluster (rollout role) configured by UseGrpo, whose rollout engine pulls from an in-memory
/// weight source the tests publish to instead of from a learner grain.
/// </summary>
public sealed class RolloutClusterFixture : IAsyncLifetime
{
    public InMemoryWeightSource Weights { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.AssumeHomogenousSilosForTesting = false;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseGrpo(GrpoTestCluster.RolloutOnly);
            // Registered after UseGrpo, so it replaces the learner as the engine's weight source.
            silo.Services.AddSingleton<IWeightSource>(Weights);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
