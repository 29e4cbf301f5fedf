using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace Grpo.Hosting.Tls;

/// <summary>
/// Mutual TLS for every Orleans connection: silo to silo, client to gateway. Both ends present their certificate and
/// both require the other's, trusted only when it chains to the cluster's own authority. The silo port accepts only
/// silo certificates (server and client authentication), so a client certificate opens the gateway port alone.
/// </summary>
public static partial class GrpoTlsExtensions
{
    public static ISiloBuilder UseGrpoTls(this ISiloBuilder builder, ClusterTlsCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(credentials);
        builder.Services.AddOptions<SiloConnectionOptions>().Configure<ILoggerFactory>((connections, loggers) =>
        {
            var logger = loggers.CreateLogger(typeof(GrpoTlsExtensions).FullName!);
            var rejections = new TlsRejections(problem => LogRefused(logger, problem));
            var silos = Options(credentials, ClusterTlsRole.Silo, rejections);
            var clients = Options(credentials, ClusterTlsRole.Client, rejections);
            connections.ConfigureSiloInboundConnection(connection => connection.UseServerTls(silos));
            connections.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(silos));
            connections.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(clients));
        });
        return builder;
    }

    /// <param name="rejections">Told why a gateway's certificate was refused, so the client can say so.</param>
    public static IClientBuilder UseGrpoTls(this IClientBuilder builder, ClusterTlsCredentials credentials, TlsRejections? rejections = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(credentials);
        var gateways = Options(credentials, ClusterTlsRole.Silo, rejections ?? new TlsRejections());
        return builder.UseTls(credentials.Certificate, options =>
        {
            options.RemoteCertificateMode = gateways.RemoteCertificateMode;
            options.ClientCertificateMode = gateways.ClientCertificateMode;
            options.RemoteCertificateValidation = gateways.RemoteCertificateValidation;
        });
    }

    /// <param name="peer">What the other end must be: a silo, or (on the gateway port) any member of the cluster.</param>
    private static TlsOptions Options(ClusterTlsCredentials credentials, ClusterTlsRole peer, TlsRejections rejections) => new()
    {
        LocalCertificate = credentials.Certificate,
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        RemoteCertificateValidation = (certificate, chain, errors) =>
        {
            if (credentials.Trusts(certificate, chain, errors, peer, out var problem))
            {
                return true;
            }

            rejections.Add(problem);
            return false;
        },
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a TLS connection: {Problem}")]
    private static partial void LogRefused(ILogger logger, string problem);
}
