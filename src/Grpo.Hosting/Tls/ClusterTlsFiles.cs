namespace Grpo.Hosting.Tls;

/// <summary>
/// Where a silo's or client's TLS material lives: its own certificate (PEM with <see cref="KeyPath"/>, or a PKCS#12
/// file holding certificate and key), and the certificate authority every peer's certificate must be issued by.
/// </summary>
/// <param name="CertificatePath">A PEM certificate (.pem, .crt) or a PKCS#12 file (.pfx, .p12).</param>
/// <param name="KeyPath">The PEM private key of a PEM certificate; null for PKCS#12, or for a PEM file that holds the key too.</param>
/// <param name="AuthorityPath">PEM file with the CA certificate(s) the cluster trusts, and nothing else.</param>
/// <param name="Pkcs12Password">The password of a PKCS#12 file; null when it has none.</param>
public sealed record ClusterTlsFiles(string CertificatePath, string? KeyPath, string AuthorityPath, string? Pkcs12Password = null)
{
    /// <summary>True when <see cref="CertificatePath"/> names a PKCS#12 file by its extension.</summary>
    public bool IsPkcs12 =>
        Path.GetExtension(CertificatePath).ToLowerInvariant() is ".pfx" or ".p12";
}
