using Grpo.Hosting.Tls;
using Microsoft.Extensions.Logging;

namespace Grpo.Client.Cluster;

/// <summary>
/// Watches the Orleans client's connection warnings while it connects, so that a client which never reaches a gateway
/// can say why in one sentence: a certificate it refused, a TLS handshake the gateway broke off, or gateways that close
/// every plaintext connection (as silos with mutual TLS do). Orleans itself only retries until the command gives up.
/// </summary>
public sealed class GatewayConnectionDiagnosis : ILoggerProvider
{
    private const string TlsCategoryPrefix = "Orleans.Connections.Security.";
    private const string ConnectionCategory = "Orleans.Runtime.Messaging.ConnectionManager";

    private volatile string? handshakeFailure;
    private volatile bool closedDuringPreamble;

    /// <summary>Why the client refused a gateway's certificate; filled by the TLS validation.</summary>
    public TlsRejections Rejections { get; } = new();

    /// <summary>Adds this as a provider that sees connection warnings whatever level the rest of the log uses.</summary>
    public void AddTo(ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.AddProvider(this);
        logging.AddFilter<GatewayConnectionDiagnosis>(TlsCategoryPrefix.TrimEnd('.'), LogLevel.Warning);
        logging.AddFilter<GatewayConnectionDiagnosis>(ConnectionCategory, LogLevel.Warning);
        logging.AddFilter<GatewayConnectionDiagnosis>(null, LogLevel.None);
    }

    /// <summary>One sentence on why no gateway answered within <paramref name="timeout"/>.</summary>
    /// <param name="usesTls">Whether this client was given TLS files.</param>
    public string Describe(TimeSpan timeout, bool usesTls)
    {
        var waited = $"no silo answered within {timeout.TotalSeconds:0} s";
        if (usesTls && Rejections.Last is { } refused)
        {
            return $"{waited}: this client refused the gateway's TLS {refused}; the silos' certificates and --tls-ca must come from the same authority.";
        }

        if (usesTls && handshakeFailure is { } failure)
        {
            return $"{waited}: the TLS handshake with the gateway failed ({failure}); do the silos trust the authority that issued this client's --tls-cert?";
        }

        if (usesTls && closedDuringPreamble)
        {
            // With TLS 1.3 the server judges the client's certificate after the client's side of the handshake is done.
            return $"{waited}: the gateways closed every connection right after the TLS handshake, as silos do when they refuse a client's certificate; is this client's --tls-cert issued by the authority the silos trust?";
        }

        if (!usesTls && closedDuringPreamble)
        {
            return $"{waited}: the gateways closed every connection, as silos with mutual TLS do when a client brings no certificate; " +
                $"give --tls-cert, --tls-key and --tls-ca (or {ClientTls.CertificateVariable}, {ClientTls.KeyVariable}, {ClientTls.AuthorityVariable}).";
        }

        return $"{waited}: start the cluster's silos or check --cluster-id.";
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private void Record(string category, Exception? exception)
    {
        if (exception is null)
        {
            return;
        }

        if (category.StartsWith(TlsCategoryPrefix, StringComparison.Ordinal))
        {
            handshakeFailure = Innermost(exception).Message.TrimEnd('.');
        }
        else if (category == ConnectionCategory && exception is InvalidOperationException && exception.Message.Contains("terminated prematurely", StringComparison.Ordinal))
        {
            // The connection preamble is Orleans' first exchange: a gateway that drops it did not speak plaintext Orleans.
            closedDuringPreamble = true;
        }
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }

    private sealed class Recorder(GatewayConnectionDiagnosis diagnosis, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                diagnosis.Record(category, exception);
            }
        }
    }
}
