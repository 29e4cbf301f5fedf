using Orleans.Connections.Security;

namespace Grpo.Hosting.Tls;

/// <summary>
/// Mutual TLS for every Orleans connection: silo to silo, client to gateway. Both ends present their certificate and
/// both require the other's, trusted only when it chains to the cluster's own authority.
/// </summary>
public static class GrpoTlsExtensions
{
    /// <param name="rejections">Told why a peer's certificate was refused, so it can be reported in one line.</param>
    public static ISiloBuilder UseGrpoTls(this ISiloBuilder builder, ClusterTlsCredentials credentials, TlsRejections? rejections = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(credentials);
        return builder.UseTls(credentials.Certificate, options => Configure(options, credentials, rejections));
    }

    /// <param name="rejections">Told why a gateway's certificate was refused, so the client can say so.</param>
    public static IClientBuilder UseGrpoTls(this IClientBuilder builder, ClusterTlsCredentials credentials, TlsRejections? rejections = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(credentials);
        return builder.UseTls(credentials.Certificate, options => Configure(options, credentials, rejections));
    }

    private static void Configure(TlsOptions options, ClusterTlsCredentials credentials, TlsRejections? rejections)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, chain, errors) =>
        {
            if (credentials.Trusts(certificate, chain, errors, out var problem))
            {
                return true;
            }

            rejections?.Add(problem);
            return false;
        };
    }
}
