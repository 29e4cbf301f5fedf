using Grpo.Configuration;
using Grpo.Core.Registries;
using Grpo.Core.Runtime;
using Grpo.Grains.Components;
using Grpo.Hosting.Components;
using Grpo.Grains.Learning;
using Grpo.Grains.Ledger;
using Grpo.Grains.Placement;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Grpo.Hosting;

/// <summary>The one place a silo is configured for Grpo.Orleans, shared by the embedded host, the tests and the silo executable.</summary>
public static class GrpoSiloBuilderExtensions
{
    /// <summary>The grain storage that holds run state (in memory here; PostgreSQL in a cluster).</summary>
    public const string RunStorageName = Grpo.Grains.Runs.RunStorage.Name;

    /// <summary>
    /// Publishes the silo's roles and device as silo metadata, makes the strongly consistent grain directory the
    /// default, registers the role placement filter, the run storage
    /// and in-memory reminders (with the run reminder period), sets the cluster identity, makes <paramref name="options"/> available from DI and
    /// registers the silo-local services (run assets, the rollout engine and the learner as its weight source).
    /// Clustering and endpoints are left to the caller (localhost, a test cluster or PostgreSQL).
    /// </summary>
    /// <param name="components">
    /// Adds the host's own components (rewards, tasks, losses, ...) to the built-ins and the plugins of
    /// <see cref="GrpoSiloOptions.PluginDirectories"/>, e.g. <c>c =&gt; c.Rewards.Add&lt;MyReward&gt;("my_reward")</c>.
    /// </param>
    /// <exception cref="ComputeDeviceUnavailableException">The silo's device is a GPU this build or machine cannot use.</exception>
    /// <exception cref="PluginLoadException">A plugin folder or assembly cannot be used.</exception>
    public static ISiloBuilder UseGrpo(this ISiloBuilder builder, GrpoSiloOptions options, Action<GrpoRegistries>? components = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // Checked while the silo is configured: a device it cannot use must stop it here, not fail the first grain on it.
        var device = ComputeDevice.Parse(options.Device);
        device.EnsureAvailable();

        var registries = GrpoRegistries.CreateDefault();
        foreach (var directory in options.PluginDirectories)
        {
            PluginLoader.LoadInto(registries, directory);
        }

        options.Components?.Invoke(registries);
        components?.Invoke(registries);
        var metadata = SiloRoles.ToMetadata(options.Rollout, options.Learner, options.Device);
        metadata[ComponentListing.MetadataKey] = ComponentListing.Of(registries).ToMetadataValue();
        builder.UseSiloMetadata(metadata);
        builder.Services.AddSingleton(registries);
        builder.Services.AddSingleton<IClusterComponents, ClusterComponents>();
        builder.UseStronglyConsistentGrainDirectory();
        builder.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });
        if (options.Storage == GrpoStorage.InMemory)
        {
            builder.AddMemoryGrainStorage(RunStorageName);
            builder.UseInMemoryReminderService();
        }

        builder.Services.AddSingleton(new RunReminderOptions(options.RunReminderPeriod));
        builder.Configure<ReminderOptions>(reminders =>
        {
            if (options.RunReminderPeriod < reminders.MinimumReminderPeriod)
                reminders.MinimumReminderPeriod = options.RunReminderPeriod;
        });

        // Transient because Orleans initialises each resolved strategy from one grain type's properties.
        builder.Services.AddPlacementFilter<SiloRolePlacementFilterStrategy, SiloRolePlacementFilterDirector>(ServiceLifetime.Transient);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(device);

        // Silo-local services. The engine (and its torch thread) is created on first use, so a learner-only silo never starts one.
        builder.Services.AddSingleton(options.DataRoots is { } roots ? RunDataRoots.Under(roots) : RunDataRoots.Unrestricted);
        builder.Services.AddSingleton<RunAssetsCache>();
        builder.Services.AddSingleton(new LearnerCheckpointOptions(options.CheckpointDirectory));
        builder.Services.AddSingleton<SiloPublications>();
        // Each rollout silo relays the versions it pulls to the silos that pull after it, through a relay grain that
        // lives only on its own silo: the learner sends each version about once, however many rollout silos there are.
        builder.Services.AddSingleton(services => new SiloWeightRelay(services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString()));
        builder.Services.AddPlacementDirector<KeyedSiloPlacement, KeyedSiloPlacementDirector>();
        builder.Services.AddSingleton<IWeightSource, LearnerWeightSource>();
        builder.Services.AddSingleton(services =>
        {
            var silo = services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();
            // The worker name also tells the engines of several silos in one process apart in metrics.
            return new RolloutEngineOptions
            {
                SamplingSalt = RolloutEngineOptions.SaltFor(silo),
                WorkerName = "grpo-rollout@" + silo,
                Device = device.ToTorch(),
            };
        });
        builder.Services.AddSingleton<RolloutEngine>();
        builder.Services.AddSingleton<SampleLedger>();
        builder.Services.AddGrpoTelemetry(options.Telemetry, "grpo-silo");
        return builder;
    }

    /// <summary>
    /// Orleans' default directory is eventually consistent: when a silo dies, the directory entries it held are lost,
    /// and the next call to such a grain activates it a second time while the first activation lives on. A second
    /// learner would answer "not initialised" and rewind the run to its checkpoint beside the live one. The in-cluster
    /// distributed directory hands a dead silo's ranges over under versioned range locks, so a grain keeps one activation.
    /// </summary>
    static ISiloBuilder UseStronglyConsistentGrainDirectory(this ISiloBuilder builder)
    {
        // ORLEANSEXP003: Orleans may still change how this directory is registered.
#pragma warning disable ORLEANSEXP003
        return builder.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
    }
}
