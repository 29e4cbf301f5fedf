using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpo.Cluster.Tests.Client;
using Grpo.Hosting.Tls;

namespace Grpo.Cluster.Tests.Tls;

public sealed class ClusterTlsCredentialsTests : IDisposable
{
    private readonly TemporaryFolder folder = new();
    private readonly TestAuthority authority;
    private readonly TestAuthority other;

    public ClusterTlsCredentialsTests()
    {
        authority = new TestAuthority(folder.Path, "cluster");
        other = new TestAuthority(folder.Path, "other");
    }

    public void Dispose()
    {
        authority.Dispose();
        other.Dispose();
        folder.Dispose();
    }

    [Fact]
    public void A_silo_certificate_of_the_authority_loads_with_its_key_and_trusts_a_client_of_the_same_authority_only()
    {
        using var silo = ClusterTlsCredentials.Load(authority.IssueSilo("silo"), ClusterTlsRole.Silo);
        using var client = ClusterTlsCredentials.Load(authority.IssueClient("client"), ClusterTlsRole.Client);
        using var stranger = ClusterTlsCredentials.Load(other.IssueClient("stranger"), ClusterTlsRole.Client);

        Assert.True(silo.Certificate.HasPrivateKey);
        Assert.True(silo.Trusts(client.Certificate, null, SslPolicyErrors.None, ClusterTlsRole.Client, out var none), none);
        Assert.Equal("", none);
        Assert.False(silo.Trusts(stranger.Certificate, null, SslPolicyErrors.RemoteCertificateChainErrors, ClusterTlsRole.Client, out var problem));
        Assert.StartsWith("certificate 'CN=stranger': ", problem);
        Assert.False(stranger.Trusts(silo.Certificate, null, SslPolicyErrors.None, ClusterTlsRole.Silo, out _));
    }

    [Fact]
    public void Host_names_are_not_compared_but_a_missing_peer_certificate_is_refused()
    {
        using var silo = ClusterTlsCredentials.Load(authority.IssueSilo("silo"), ClusterTlsRole.Silo);
        using var peer = ClusterTlsCredentials.Load(authority.IssueSilo("peer"), ClusterTlsRole.Silo);

        // Silos connect to each other by IP address, which no certificate names.
        Assert.True(silo.Trusts(peer.Certificate, null, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors, ClusterTlsRole.Silo, out _));
        Assert.False(silo.Trusts(peer.Certificate, null, SslPolicyErrors.RemoteCertificateNotAvailable, ClusterTlsRole.Silo, out var problem));
        Assert.Equal("the peer sent no certificate", problem);
    }

    [Fact]
    public void A_client_certificate_is_refused_where_a_silo_is_expected_on_the_silo_port_and_by_a_client()
    {
        using var silo = ClusterTlsCredentials.Load(authority.IssueSilo("silo"), ClusterTlsRole.Silo);
        using var client = ClusterTlsCredentials.Load(authority.IssueClient("client"), ClusterTlsRole.Client);

        Assert.False(silo.Trusts(client.Certificate, null, SslPolicyErrors.None, ClusterTlsRole.Silo, out var problem));
        Assert.StartsWith("certificate 'CN=client' is not meant for server authentication; a silo certificate needs server authentication and client authentication in its extended key usage", problem);
        Assert.True(silo.Trusts(silo.Certificate, null, SslPolicyErrors.None, ClusterTlsRole.Client, out _));
    }

    [Fact]
    public void The_application_policy_of_the_presented_chain_is_kept()
    {
        using var silo = ClusterTlsCredentials.Load(authority.IssueSilo("silo"), ClusterTlsRole.Silo);
        using var client = ClusterTlsCredentials.Load(authority.IssueClient("client"), ClusterTlsRole.Client);
        using var asServer = new X509Chain();
        asServer.ChainPolicy.ApplicationPolicy.Add(new("1.3.6.1.5.5.7.3.1"));

        // Asked as a client but with TLS's server-authentication policy, the chain itself refuses the client certificate.
        Assert.False(silo.Trusts(client.Certificate, asServer, SslPolicyErrors.None, ClusterTlsRole.Client, out var problem));
        Assert.Contains("CN=client", problem);
        Assert.True(client.Trusts(silo.Certificate, asServer, SslPolicyErrors.None, ClusterTlsRole.Silo, out _));
    }

    [Fact]
    public void A_PKCS12_file_with_its_password_loads_and_a_wrong_password_is_named()
    {
        var files = authority.IssueSiloPkcs12("silo-p12", "s3cret");

        using (var loaded = ClusterTlsCredentials.Load(files, ClusterTlsRole.Silo))
        {
            Assert.True(loaded.Certificate.HasPrivateKey);
        }

        var error = Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(files with { Pkcs12Password = "wrong" }, ClusterTlsRole.Silo));
        Assert.Equal(ClusterTlsFile.Certificate, error.File);
        Assert.StartsWith($"TLS certificate {files.CertificatePath} cannot be read as PKCS#12 (wrong password?)", error.Message);
        var withKey = Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(files with { KeyPath = "silo.key" }, ClusterTlsRole.Silo));
        Assert.Equal(ClusterTlsFile.Key, withKey.File);
    }

    [Fact]
    public void A_certificate_of_another_authority_is_refused_at_load_naming_both_files()
    {
        var files = other.IssueSilo("silo") with { AuthorityPath = authority.AuthorityPath };

        var error = Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(files, ClusterTlsRole.Silo));

        Assert.Equal(ClusterTlsFile.Certificate, error.File);
        Assert.StartsWith($"TLS certificate {files.CertificatePath} is not trusted by the authority in {authority.AuthorityPath}: certificate 'CN=silo': ", error.Message);
    }

    [Fact]
    public void An_expired_certificate_is_refused_at_load()
    {
        var files = authority.IssueExpired("old");

        var error = Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(files, ClusterTlsRole.Silo));

        Assert.Contains("is not trusted by the authority", error.Message);
        Assert.Contains("CN=old", error.Message);
    }

    [Fact]
    public void A_client_certificate_cannot_be_a_silo_certificate()
    {
        var files = authority.IssueClient("client");

        var error = Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(files, ClusterTlsRole.Silo));

        Assert.Equal(ClusterTlsFile.Certificate, error.File);
        Assert.Contains("a silo certificate needs", error.Message);
        using var asClient = ClusterTlsCredentials.Load(files, ClusterTlsRole.Client);
    }

    [Fact]
    public void Missing_files_and_a_key_of_another_certificate_name_the_file()
    {
        var silo = authority.IssueSilo("silo");
        var peer = authority.IssueSilo("peer");

        var noCertificate = Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(silo with { CertificatePath = Path.Combine(folder.Path, "absent.pem") }, ClusterTlsRole.Silo));
        var noKey = Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(silo with { KeyPath = Path.Combine(folder.Path, "absent.key") }, ClusterTlsRole.Silo));
        var noAuthority = Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(silo with { AuthorityPath = Path.Combine(folder.Path, "absent-ca.pem") }, ClusterTlsRole.Silo));
        var wrongKey = Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(silo with { KeyPath = peer.KeyPath }, ClusterTlsRole.Silo));
        var keyAsAuthority = Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(silo with { AuthorityPath = silo.KeyPath! }, ClusterTlsRole.Silo));
        var withoutKey = Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(silo with { KeyPath = null }, ClusterTlsRole.Silo));

        Assert.Equal((ClusterTlsFile.Certificate, $"TLS certificate file {Path.Combine(folder.Path, "absent.pem")} does not exist."), (noCertificate.File, noCertificate.Message));
        Assert.Equal((ClusterTlsFile.Key, $"TLS key file {Path.Combine(folder.Path, "absent.key")} does not exist."), (noKey.File, noKey.Message));
        Assert.Equal(ClusterTlsFile.Authority, noAuthority.File);
        Assert.Equal(ClusterTlsFile.Key, wrongKey.File);
        Assert.Contains(peer.KeyPath!, wrongKey.Message);
        Assert.Equal((ClusterTlsFile.Authority, $"TLS certificate authority {silo.KeyPath} holds no PEM certificate (-----BEGIN CERTIFICATE-----)."), (keyAsAuthority.File, keyAsAuthority.Message));
        Assert.Equal(ClusterTlsFile.Certificate, withoutKey.File);
    }
}
