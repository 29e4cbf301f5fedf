using System.CommandLine;
using Grpo.Hosting.Tls;

namespace Grpo.Client.Cluster;

/// <summary>
/// The mutual TLS options every cluster command takes (--tls-cert, --tls-key, --tls-ca, each defaulting to its
/// GRPO_TLS_ variable; a PKCS#12 password only from GRPO_TLS_PASSWORD). Without them the client speaks plaintext,
/// which only a development cluster on loopback accepts.
/// </summary>
public static class ClientTls
{
    public const string CertificateVariable = "GRPO_TLS_CERT";
    public const string KeyVariable = "GRPO_TLS_KEY";
    public const string AuthorityVariable = "GRPO_TLS_CA";
    public const string PasswordVariable = "GRPO_TLS_PASSWORD";

    private const string CertificateOption = "--tls-cert";
    private const string KeyOption = "--tls-key";
    private const string AuthorityOption = "--tls-ca";

    /// <summary>Adds the TLS options to <paramref name="command"/> and returns it.</summary>
    public static Command WithOptions(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(new Option<string?>(CertificateOption)
        {
            Description = $"Client certificate for a cluster with mutual TLS: PEM (with --tls-key) or PKCS#12 (password in ${PasswordVariable}) [default: ${CertificateVariable}].",
            HelpName = "FILE",
        });
        command.Options.Add(new Option<string?>(KeyOption) { Description = $"PEM private key of --tls-cert [default: ${KeyVariable}].", HelpName = "FILE" });
        command.Options.Add(new Option<string?>(AuthorityOption)
        {
            Description = $"PEM certificate authority the silos' certificates must be issued by [default: ${AuthorityVariable}].",
            HelpName = "FILE",
        });
        return command;
    }

    /// <summary>
    /// The TLS files the command was given, checked by loading them once, or null when none were given.
    /// </summary>
    /// <exception cref="ArgumentException">Half a set, or a file that is missing or unusable; the message names the option.</exception>
    public static ClusterTlsFiles? Resolve(ParseResult parsed, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(environment);
        var certificate = Value(parsed, CertificateOption, CertificateVariable, environment);
        var key = Value(parsed, KeyOption, KeyVariable, environment);
        var authority = Value(parsed, AuthorityOption, AuthorityVariable, environment);
        if (certificate is null && key is null && authority is null)
        {
            return null;
        }

        if (certificate is null || authority is null)
        {
            var missing = new[] { certificate is null ? Display(CertificateOption, CertificateVariable) : null, authority is null ? Display(AuthorityOption, AuthorityVariable) : null };
            throw new ArgumentException($"mutual TLS needs {string.Join(" and ", missing.OfType<string>())} as well.");
        }

        var files = new ClusterTlsFiles(certificate, key, authority, environment(PasswordVariable) is { Length: > 0 } password ? password : null);
        try
        {
            using var loaded = ClusterTlsCredentials.Load(files, ClusterTlsRole.Client);
        }
        catch (ClusterTlsException exception)
        {
            var (option, variable) = exception.File switch
            {
                ClusterTlsFile.Key => (KeyOption, KeyVariable),
                ClusterTlsFile.Authority => (AuthorityOption, AuthorityVariable),
                _ => (CertificateOption, CertificateVariable),
            };
            throw new ArgumentException($"{Display(option, variable)}: {exception.Message}", exception);
        }

        return files;
    }

    private static string Display(string option, string variable) => $"{option} (${variable})";

    private static string? Value(ParseResult parsed, string name, string variable, Func<string, string?> environment)
    {
        var option = parsed.CommandResult.Command.Options.OfType<Option<string?>>().FirstOrDefault(candidate => candidate.Name == name);
        var value = (option is null ? null : parsed.GetValue(option)) ?? environment(variable);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
