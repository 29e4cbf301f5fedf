using Grpo.Core.Runtime;

namespace Grpo.Hosting;

/// <summary>How one silo takes part in a Grpo.Orleans cluster: its roles, its torch device, its ports and identity.</summary>
public sealed record GrpoSiloOptions
{
    public bool Rollout { get; init; } = true;
    public bool Learner { get; init; } = true;

    /// <summary>"cpu", "cuda" or "cuda:N" (see <see cref="ComputeDevice"/>): where every torch engine of the silo computes.</summary>
    public string Device { get; init; } = "cpu";

    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    public string ClusterId { get; init; } = "grpo";
    public string ServiceId { get; init; } = "grpo";
    public string CheckpointDirectory { get; init; } = "checkpoints";

    /// <summary>
    /// How often an unfinished run's reminder ticks: after its silo dies a run stands still at most this long (plus the
    /// time membership needs to declare the silo dead) before another silo re-activates it. Orleans' default minimum
    /// reminder period (1 minute) is lowered to this when it is shorter.
    /// </summary>
    public TimeSpan RunReminderPeriod { get; init; } = Grpo.Grains.Runs.RunReminderOptions.DefaultPeriod;

    /// <summary>Where run state and reminders live; <see cref="GrpoStorage.Postgres"/> needs UseGrpoPostgres as well.</summary>
    public GrpoStorage Storage { get; init; } = GrpoStorage.InMemory;

    /// <summary>
    /// Folders of plugin assemblies whose <c>[GrpoComponent]</c> classes (rewards, tasks, losses, ...) this silo
    /// registers beside the built-ins. Every silo of a cluster must load the plugins its runs name.
    /// </summary>
    public IReadOnlyList<string> PluginDirectories { get; init; } = [];

    /// <summary>Registers this silo's own components in code (after the built-ins and the plugins), e.g. in tests.</summary>
    public Action<Grpo.Core.Registries.GrpoRegistries>? Components { get; init; }

    /// <summary>
    /// The folders a submitted run configuration may read files from (model_path, task.path and other path
    /// parameters); null allows any path, as suits a silo embedded in the program of the user who writes the
    /// configuration. grpo-silo always sets it.
    /// </summary>
    public IReadOnlyList<string>? DataRoots { get; init; }

    /// <summary>Where the silo exports its metrics (nowhere by default).</summary>
    public GrpoTelemetryOptions Telemetry { get; init; } = GrpoTelemetryOptions.None;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public void Validate()
    {
        if (!Rollout && !Learner)
        {
            throw new ArgumentException(
                $"{nameof(GrpoSiloOptions)}: {nameof(Rollout)} and {nameof(Learner)} are both false; a silo needs at least one role.",
                nameof(Rollout));
        }

        if (!ComputeDevice.TryParse(Device, out _))
        {
            throw new ArgumentException(
                $"{nameof(GrpoSiloOptions)}.{nameof(Device)} is '{Device}'; expected \"cpu\", \"cuda\" or \"cuda:N\" with N a device index.",
                nameof(Device));
        }

        ValidatePort(SiloPort, nameof(SiloPort));
        ValidatePort(GatewayPort, nameof(GatewayPort));
        if (SiloPort == GatewayPort)
        {
            throw new ArgumentException(
                $"{nameof(GrpoSiloOptions)}.{nameof(SiloPort)} and {nameof(GatewayPort)} are both {SiloPort}; they must differ.",
                nameof(GatewayPort));
        }

        if (RunReminderPeriod < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException(
                $"{nameof(GrpoSiloOptions)}.{nameof(RunReminderPeriod)} is {RunReminderPeriod}; it must be at least one second.",
                nameof(RunReminderPeriod));
        }

        ValidateText(ClusterId, nameof(ClusterId));
        ValidateText(ServiceId, nameof(ServiceId));
        ValidateText(CheckpointDirectory, nameof(CheckpointDirectory));
        ArgumentNullException.ThrowIfNull(PluginDirectories, nameof(PluginDirectories));
        foreach (var directory in PluginDirectories)
        {
            ValidateText(directory, nameof(PluginDirectories));
        }

        foreach (var root in DataRoots ?? [])
        {
            ValidateText(root, nameof(DataRoots));
        }

        ArgumentNullException.ThrowIfNull(Telemetry, nameof(Telemetry));
        Telemetry.Validate();
    }

    private static void ValidatePort(int port, string field)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentException($"{nameof(GrpoSiloOptions)}.{field} is {port}; a port must be in 1..65535.", field);
        }
    }

    private static void ValidateText(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{nameof(GrpoSiloOptions)}.{field} is empty.", field);
        }
    }
}
