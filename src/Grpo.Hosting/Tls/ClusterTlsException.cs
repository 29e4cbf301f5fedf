namespace Grpo.Hosting.Tls;

/// <summary>A TLS file cannot be used; the message names the file and what is wrong with it.</summary>
public sealed class ClusterTlsException(ClusterTlsFile file, string message, Exception? inner = null) : Exception(message, inner)
{
    public ClusterTlsFile File { get; } = file;
}
