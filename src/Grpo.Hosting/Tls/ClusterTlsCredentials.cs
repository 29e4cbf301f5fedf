using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Grpo.Hosting.Tls;

/// <summary>
/// A silo's or client's certificate with its private key, and the certificate authority it trusts. A peer is trusted
/// when its certificate chains to that authority alone (the machine's root store plays no part); host names are not
/// compared, because silos reach each other at advertised IP addresses that change with every container.
/// </summary>
public sealed class ClusterTlsCredentials : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private ClusterTlsCredentials(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        Certificate = certificate;
        Authorities = authorities;
    }

    /// <summary>This side's certificate, private key included.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificates a peer's certificate must chain to.</summary>
    public X509Certificate2Collection Authorities { get; }

    /// <summary>
    /// Reads the files and checks that the certificate has its private key, is issued by the authority, is valid now
    /// and may be used as <paramref name="role"/> needs (server and client authentication for a silo, client for a client).
    /// </summary>
    /// <exception cref="ClusterTlsException">Naming the file that is missing, unreadable or does not fit.</exception>
    public static ClusterTlsCredentials Load(ClusterTlsFiles files, ClusterTlsRole role)
    {
        ArgumentNullException.ThrowIfNull(files);
        var authorities = LoadAuthorities(files.AuthorityPath);
        var certificate = LoadCertificate(files);
        try
        {
            if (!certificate.HasPrivateKey)
            {
                throw new ClusterTlsException(ClusterTlsFile.Key,
                    $"TLS certificate {files.CertificatePath} comes without its private key; give the key file as well.");
            }

            if (MissingUsage(certificate, role) is { } missing)
            {
                throw new ClusterTlsException(ClusterTlsFile.Certificate, $"TLS certificate {files.CertificatePath} {missing}.");
            }

            var credentials = new ClusterTlsCredentials(certificate, authorities);
            if (!credentials.Trusts(certificate, null, null, role, out var problem))
            {
                throw new ClusterTlsException(ClusterTlsFile.Certificate,
                    $"TLS certificate {files.CertificatePath} is not trusted by the authority in {files.AuthorityPath}: {problem}.");
            }

            return credentials;
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    /// <summary>
    /// True when <paramref name="remote"/> chains to <see cref="Authorities"/> and may act as <paramref name="peer"/>;
    /// otherwise <paramref name="problem"/> says why.
    /// </summary>
    /// <param name="presented">The chain TLS built for the peer: its intermediates and its application policy
    /// (server or client authentication, whichever side the peer is on) are kept.</param>
    public bool Trusts(X509Certificate2 remote, X509Chain? presented, SslPolicyErrors? errors, ClusterTlsRole peer, out string problem)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (errors is { } policyErrors && policyErrors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            problem = "the peer sent no certificate";
            return false;
        }

        if (MissingUsage(remote, peer) is { } missing)
        {
            problem = $"certificate '{remote.Subject}' {missing}";
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authorities);
        // A private cluster CA publishes no revocation lists; rotating the CA is how certificates are withdrawn.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                if (!element.Certificate.Equals(remote))
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            foreach (var oid in presented.ChainPolicy.ApplicationPolicy)
            {
                chain.ChainPolicy.ApplicationPolicy.Add(oid);
            }
        }

        if (chain.Build(remote))
        {
            problem = "";
            return true;
        }

        var reasons = chain.ChainStatus.Select(status => status.StatusInformation.Trim().TrimEnd('.')).Where(text => text.Length > 0).Distinct();
        problem = $"certificate '{remote.Subject}': {string.Join("; ", reasons)}";
        return false;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var authority in Authorities)
        {
            authority.Dispose();
        }
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        RequireFile(path, ClusterTlsFile.Authority, "TLS certificate authority");
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new ClusterTlsException(ClusterTlsFile.Authority, $"TLS certificate authority {path} is not a PEM certificate file: {e.Message}", e);
        }

        if (authorities.Count == 0)
        {
            throw new ClusterTlsException(ClusterTlsFile.Authority, $"TLS certificate authority {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        }

        return authorities;
    }

    private static X509Certificate2 LoadCertificate(ClusterTlsFiles files)
    {
        RequireFile(files.CertificatePath, ClusterTlsFile.Certificate, "TLS certificate");
        if (files.IsPkcs12)
        {
            if (files.KeyPath is not null)
            {
                throw new ClusterTlsException(ClusterTlsFile.Key,
                    $"TLS certificate {files.CertificatePath} is a PKCS#12 file, which holds its own key; give no key file ({files.KeyPath}) with it.");
            }

            try
            {
                return X509CertificateLoader.LoadPkcs12FromFile(files.CertificatePath, files.Pkcs12Password);
            }
            catch (CryptographicException e)
            {
                throw new ClusterTlsException(ClusterTlsFile.Certificate,
                    $"TLS certificate {files.CertificatePath} cannot be read as PKCS#12 (wrong password?): {e.Message}", e);
            }
        }

        if (files.KeyPath is not null)
        {
            RequireFile(files.KeyPath, ClusterTlsFile.Key, "TLS key");
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(files.CertificatePath, files.KeyPath);
        }
        // A key of another certificate is an ArgumentException ("does not match the public key"), the rest cryptographic.
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            var key = files.KeyPath ?? files.CertificatePath;
            throw new ClusterTlsException(files.KeyPath is null ? ClusterTlsFile.Certificate : ClusterTlsFile.Key,
                $"TLS certificate {files.CertificatePath} with key {key} cannot be loaded (not PEM, or a key that does not belong to the certificate): {e.Message}", e);
        }
    }

    private static void RequireFile(string path, ClusterTlsFile file, string what)
    {
        if (!File.Exists(path))
        {
            throw new ClusterTlsException(file, $"{what} file {Path.GetFullPath(path)} does not exist.");
        }
    }

    /// <summary>Null when <paramref name="certificate"/> may act as <paramref name="role"/>, else the reason it may not.</summary>
    private static string? MissingUsage(X509Certificate2 certificate, ClusterTlsRole role)
    {
        var usage = role == ClusterTlsRole.Silo ? new[] { ServerAuthentication, ClientAuthentication } : [ClientAuthentication];
        var missing = usage.Where(purpose => !AllowsUsage(certificate, purpose)).ToList();
        return missing.Count == 0
            ? null
            : $"is not meant for {string.Join(" and ", missing.Select(UsageName))}; a {role.ToString().ToLowerInvariant()} certificate needs {string.Join(" and ", usage.Select(UsageName))} in its extended key usage";
    }

    // Oid.FriendlyName differs between platforms ("TLS Web Server Authentication" with OpenSSL), so messages use their own.
    private static string UsageName(Oid purpose) => purpose.Value == ServerAuthentication.Value ? "server authentication" : "client authentication";

    private static bool AllowsUsage(X509Certificate2 certificate, Oid purpose)
    {
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().ToList();
        // A certificate without the extension may be used for anything.
        return usages.Count == 0 || usages.Any(extension => extension.EnhancedKeyUsages.Cast<Oid>().Any(oid => oid.Value == purpose.Value));
    }
}
