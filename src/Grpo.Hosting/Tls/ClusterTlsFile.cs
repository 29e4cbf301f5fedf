namespace Grpo.Hosting.Tls;

/// <summary>Which of the TLS files a <see cref="ClusterTlsException"/> is about, so callers can name their option for it.</summary>
public enum ClusterTlsFile
{
    Certificate,
    Key,
    Authority,
}
