namespace Grpo.Hosting.Tls;

/// <summary>What a certificate is used for: a silo both accepts connections and opens them, a client only opens them.</summary>
public enum ClusterTlsRole
{
    Silo,
    Client,
}
