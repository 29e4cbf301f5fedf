using System.Collections.Concurrent;
using System.Globalization;
using Grpo.Cluster.Tests.Runs;
using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace Grpo.Cluster.Tests;

/// <summary>
/// An in-process Orleans test cluster whose silos each get their own <see cref="GrpoSiloOptions"/> through
/// <see cref="GrpoSiloBuilderExtensions.UseGrpo"/>, exactly as a real silo does.
/// </summary>
public sealed class GrpoTestCluster : IAsyncDisposable
{
    // InProcessTestCluster names silo n "Silo_n" (InProcessTestSiloSpecificOptions.Create) and numbers additional
    // silos after the initial ones; the per-silo configuration delegate only sees that name.
    private const string SiloNamePrefix = "Silo_";

    private readonly ConcurrentDictionary<string, GrpoSiloOptions> _optionsBySiloName = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private GrpoSiloOptions? _startingSilo;

    private GrpoTestCluster(ClusterStorage storage, IReadOnlyList<GrpoSiloOptions> initialSilos)
    {
        Storage = storage;
        if (initialSilos.Count == 0)
        {
            throw new ArgumentException("A test cluster needs at least one silo.", nameof(initialSilos));
        }

        for (var index = 0; index < initialSilos.Count; index++)
        {
            _optionsBySiloName[SiloName(index)] = initialSilos[index];
        }

        var builder = new InProcessTestClusterBuilder(checked((short)initialSilos.Count));

        // With the default (true) Orleans treats every silo as able to host every grain and skips placement filters.
        builder.Options.AssumeHomogenousSilosForTesting = false;
        builder.Options.ConfigureFileLogging = false;
        // Otherwise the test cluster swaps in its own process-wide directory, which can never lose an entry with a dead
        // silo: the silos keep the strongly consistent directory that UseGrpo gives every real silo.
#pragma warning disable ORLEANSEXP003
        builder.Options.UseDistributedGrainDirectory = true;
#pragma warning restore ORLEANSEXP003
        builder.ConfigureSilo((silo, siloBuilder) =>
        {
            siloBuilder.UseGrpo(OptionsFor(silo.SiloName));
            // The sample ledger's table, shared by every silo of this cluster as the cluster database would be.
            siloBuilder.Services.AddSingleton<Grpo.Grains.Ledger.ISampleLedgerSink>(Ledger);
            // Registered after UseGrpo so it replaces the in-memory run storage: run state survives killed silos.
            siloBuilder.Services.AddGrainStorage(Grpo.Grains.Runs.RunStorage.Name,
                (services, _) => new FlakyGrainStorage(new ProcessWideGrainStorage(services.GetRequiredService<Serializer>(), storage.RunState), storage));
            // A run waiting for its database retries within a tenth of a second, so a test's outage need not last minutes.
            siloBuilder.Services.AddSingleton(DatabaseWait);
            // Likewise for reminders, which re-activate runs whose silo died.
            siloBuilder.Services.AddSingleton<IReminderTable>(storage.Reminders);
            // Whatever minimum level the test host sets, the project's information messages reach the record.
            siloBuilder.Services.AddSingleton<ILoggerProvider>(Logs);
            siloBuilder.Services.AddLogging(logging => logging.AddFilter<RecordingLoggerProvider>(RecordingLoggerProvider.CategoryPrefix, LogLevel.Information));
        });
        Cluster = builder.Build();
    }

    public InProcessTestCluster Cluster { get; }

    public static Grpo.Grains.Resilience.DatabaseWaitOptions DatabaseWait { get; } =
        new(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));

    public IClusterClient Client => Cluster.Client;

    public static GrpoSiloOptions RolloutOnly { get; } = new() { Rollout = true, Learner = false };

    public static GrpoSiloOptions LearnerOnly { get; } = new() { Rollout = false, Learner = true };

    /// <summary>The rows the sample ledger of any silo of this cluster wrote (runs with sample_ledger).</summary>
    public Ledger.InMemoryLedgerSink Ledger { get; } = new();

    /// <summary>What the project's code logged on any silo of this cluster (information and above).</summary>
    public RecordingLoggerProvider Logs { get; } = new();

    /// <summary>Run state and reminders of this cluster; they outlive its silos.</summary>
    public ClusterStorage Storage { get; }

    public static Task<GrpoTestCluster> StartAsync(params GrpoSiloOptions[] silos) => StartAsync(new ClusterStorage(), silos);

    /// <summary>A cluster on <paramref name="storage"/>: given the storage of a cluster that was shut down, it is that cluster restarted.</summary>
    public static async Task<GrpoTestCluster> StartAsync(ClusterStorage storage, params GrpoSiloOptions[] silos)
    {
        var cluster = new GrpoTestCluster(storage, silos);
        try
        {
            await cluster.Cluster.DeployAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more silo with <paramref name="options"/> and waits until it has joined.</summary>
    public async Task<InProcessSiloHandle> StartAdditionalSiloAsync(GrpoSiloOptions options)
    {
        await _startLock.WaitAsync();
        try
        {
            // InProcessTestCluster numbers a new silo by how many silos run now, so after a kill it can reuse a dead
            // silo's name: the options go to the silo being started directly (one at a time), not by a predicted name.
            Volatile.Write(ref _startingSilo, options);
            var silo = await Cluster.StartAdditionalSiloAsync();
            _optionsBySiloName[silo.Name] = options;
            return silo;
        }
        finally
        {
            Volatile.Write(ref _startingSilo, null);
            _startLock.Release();
        }
    }

    /// <summary>The name of the silo with this address, e.g. "Silo_1".</summary>
    public string SiloNameOf(string siloAddress) =>
        Cluster.Silos.FirstOrDefault(silo => silo.SiloAddress.ToString() == siloAddress)?.Name
        ?? throw new ArgumentException($"No silo of the test cluster has address {siloAddress}.", nameof(siloAddress));

    public static string SiloName(int index) => SiloNamePrefix + index.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _startLock.Dispose();
    }

    private GrpoSiloOptions OptionsFor(string siloName) =>
        Volatile.Read(ref _startingSilo) is { } starting ? starting
        : _optionsBySiloName.TryGetValue(siloName, out var options)
            ? options
            : throw new InvalidOperationException($"The test cluster started silo '{siloName}' without GrpoSiloOptions registered for it.");
}
