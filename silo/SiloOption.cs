namespace Grpo.Silo;

/// <summary>
/// One setting of grpo-silo and the three places it can come from: <c>--name value</c> on the command line,
/// <c>GRPO_NAME</c> in the environment and <c>Key</c> in appsettings.json (in that order of precedence).
/// </summary>
public sealed record SiloOption(string Name, string Key, string Help)
{
    public string Switch => "--" + Name;

    public string EnvironmentVariable => "GRPO_" + Name.Replace('-', '_').ToUpperInvariant();

    /// <summary>How messages name the option, so an operator finds it wherever it was set.</summary>
    public string Display => $"{Switch} ({EnvironmentVariable}, \"{Key}\")";

    public static SiloOption Cluster { get; } = new("cluster", "Cluster",
        "PostgreSQL connection string (Host=...;Port=...;Database=...;Username=...;Password=...); without it: localhost clustering for development");
    public static SiloOption Roles { get; } = new("roles", "Roles", "comma-separated roles: rollout, learner (default rollout,learner)");
    public static SiloOption Device { get; } = new("device", "Device",
        "torch device of every engine on this silo: cpu, cuda or cuda:N (default cpu); cuda needs a build with -p:GrpoDevice=cuda");
    public static SiloOption SiloPort { get; } = new("silo-port", "SiloPort", "port for silo-to-silo traffic (default 11111)");
    public static SiloOption GatewayPort { get; } = new("gateway-port", "GatewayPort", "port clients connect to (default 30000)");
    public static SiloOption PrimaryPort { get; } = new("primary-port", "PrimaryPort",
        "localhost clustering only: silo port of the first silo (default: this silo's port, i.e. this one is the first)");
    public static SiloOption CheckpointDir { get; } = new("checkpoint-dir", "CheckpointDir", "directory for learner checkpoints, shared by learner silos (default checkpoints)");
    public static SiloOption AdvertisedIp { get; } = new("advertised-ip", "AdvertisedIp", "address other silos reach this one at (default 127.0.0.1)");
    public static SiloOption ClusterId { get; } = new("cluster-id", "ClusterId", "cluster name; silos with the same one form a cluster (default grpo)");
    public static SiloOption ServiceId { get; } = new("service-id", "ServiceId", "service name that keys stored state and reminders (default grpo)");

    public static SiloOption Metrics { get; } = new("metrics", "Metrics",
        "export the Grpo.Orleans and Orleans metrics with OpenTelemetry: none, console, otlp or prometheus (default none)");
    public static SiloOption OtlpEndpoint { get; } = new("otlp-endpoint", "OtlpEndpoint",
        "OTLP collector address for --metrics otlp, e.g. http://localhost:4317 (default: the exporter's, or OTEL_EXPORTER_OTLP_ENDPOINT)");
    public static SiloOption MetricsPort { get; } = new("metrics-port", "MetricsPort",
        "port --metrics prometheus serves /metrics on (default 9464)");
    public static SiloOption MetricsBind { get; } = new("metrics-bind", "MetricsBind",
        "address --metrics prometheus listens on (default 127.0.0.1); 0.0.0.0 for every interface, as a scraped pod needs");
    public static SiloOption MetricsInterval { get; } = new("metrics-interval", "MetricsInterval", "seconds between metric exports (default 10)");
    public static SiloOption DashboardPort { get; } = new("dashboard-port", "DashboardPort", "serve the Orleans dashboard on this port (default: no dashboard)");
    public static SiloOption DashboardBind { get; } = new("dashboard-bind", "DashboardBind",
        "address the dashboard listens on (default 127.0.0.1); any other needs --dashboard-token-file, e.g. 0.0.0.0 for every interface");
    public static SiloOption DashboardTokenFile { get; } = new("dashboard-token-file", "DashboardTokenFile",
        "file holding the token every dashboard request must carry (Authorization: Bearer TOKEN, or Basic with TOKEN as password); default: no token");

    public static SiloOption TlsCert { get; } = new("tls-cert", "TlsCert",
        "this silo's certificate for mutual TLS: PEM (with --tls-key) or PKCS#12 (.pfx/.p12); turns TLS on for silo and gateway connections");
    public static SiloOption TlsKey { get; } = new("tls-key", "TlsKey", "PEM private key of --tls-cert (not for PKCS#12, nor a PEM that holds its key)");
    public static SiloOption TlsCa { get; } = new("tls-ca", "TlsCa", "PEM certificate authority that every silo's and client's certificate must be issued by");
    public static SiloOption TlsPassword { get; } = new("tls-password", "TlsPassword",
        "password of a PKCS#12 --tls-cert; set it as the variable, since a switch shows in the process list");
    public static SiloOption Tls { get; } = new("tls", "Tls",
        "on or off (default: on with --tls-cert); a silo whose --advertised-ip is not loopback refuses to start without TLS unless off");

    public static SiloOption LogLevel { get; } = new("log-level", "LogLevel",
        "lowest level logged: Trace, Debug, Information, Warning, Error, Critical or None (default Warning, from appsettings.json)");

    public static SiloOption Plugins { get; } = new("plugins", "Plugins",
        "folders of plugin assemblies whose rewards, tasks and losses this silo registers, comma-separated (default none); every silo of a cluster needs the plugins its runs name");

    public static SiloOption DataRoot { get; } = new("data-root", "DataRoot",
        "folders a submitted run may read model_path, task.path and other path parameters from, comma-separated (default: the folder data in the working folder)");

    public static IReadOnlyList<SiloOption> All { get; } =
        [Cluster, Roles, Device, SiloPort, GatewayPort, PrimaryPort, CheckpointDir, AdvertisedIp, ClusterId, ServiceId, Metrics, OtlpEndpoint, MetricsInterval, MetricsPort, MetricsBind, DashboardPort, Plugins, DashboardBind, DashboardTokenFile, TlsCert, TlsKey, TlsCa, TlsPassword, Tls, LogLevel, DataRoot];
}
