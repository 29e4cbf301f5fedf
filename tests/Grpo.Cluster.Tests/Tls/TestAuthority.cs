using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpo.Hosting.Tls;

namespace Grpo.Cluster.Tests.Tls;

/// <summary>A certificate authority made in memory, which writes itself and the certificates it issues as PEM files.</summary>
public sealed class TestAuthority : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private readonly X509Certificate2 certificate;

    public TestAuthority(string folder, string name)
    {
        Folder = folder;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(30));
        AuthorityPath = Path.Combine(folder, name + "-ca.pem");
        File.WriteAllText(AuthorityPath, certificate.ExportCertificatePem());
    }

    public string Folder { get; }

    public string AuthorityPath { get; }

    /// <summary>A silo certificate (server and client authentication) as PEM certificate and key files.</summary>
    public ClusterTlsFiles IssueSilo(string name) => Issue(name, [ServerAuthentication, ClientAuthentication], DateTimeOffset.UtcNow.AddDays(10));

    /// <summary>A client certificate (client authentication only).</summary>
    public ClusterTlsFiles IssueClient(string name) => Issue(name, [ClientAuthentication], DateTimeOffset.UtcNow.AddDays(10));

    /// <summary>A silo certificate whose validity ended yesterday.</summary>
    public ClusterTlsFiles IssueExpired(string name) => Issue(name, [ServerAuthentication, ClientAuthentication], DateTimeOffset.UtcNow.AddDays(-1));

    /// <summary>The same certificate and key as one PKCS#12 file protected by <paramref name="password"/>.</summary>
    public ClusterTlsFiles IssueSiloPkcs12(string name, string password)
    {
        var pem = IssueSilo(name);
        using var loaded = X509Certificate2.CreateFromPemFile(pem.CertificatePath, pem.KeyPath);
        var path = Path.Combine(Folder, name + ".pfx");
        File.WriteAllBytes(path, loaded.Export(X509ContentType.Pkcs12, password));
        return new ClusterTlsFiles(path, null, AuthorityPath, password);
    }

    public void Dispose() => certificate.Dispose();

    private ClusterTlsFiles Issue(string name, Oid[] usages, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var oids = new OidCollection();
        foreach (var usage in usages)
        {
            oids.Add(usage);
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(certificate, DateTimeOffset.UtcNow.AddDays(-2), notAfter, serial);
        var certificatePath = Path.Combine(Folder, name + ".pem");
        var keyPath = Path.Combine(Folder, name + ".key");
        File.WriteAllText(certificatePath, issued.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new ClusterTlsFiles(certificatePath, keyPath, AuthorityPath);
    }
}
