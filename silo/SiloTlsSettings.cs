using System.Net;
using Grpo.Hosting.Tls;
using Microsoft.Extensions.Configuration;

namespace Grpo.Silo;

/// <summary>
/// Reads --tls, --tls-cert, --tls-key, --tls-ca and --tls-password. A silo that other machines can reach (its
/// --advertised-ip is not loopback) speaks TLS unless told --tls off; one on loopback may go without, for development.
/// </summary>
public static class SiloTlsSettings
{
    /// <returns>The TLS files, or null for plaintext.</returns>
    /// <exception cref="SiloArgumentException">Half a set of files, a contradiction with --tls, or plaintext on a reachable address.</exception>
    public static ClusterTlsFiles? From(IConfiguration configuration, IPAddress advertisedIp)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(advertisedIp);
        var mode = SiloSettings.Text(configuration, SiloOption.Tls)?.ToLowerInvariant();
        if (mode is not (null or "on" or "off"))
        {
            throw new SiloArgumentException($"{SiloOption.Tls.Display} is '{mode}'; expected on or off.");
        }

        var certificate = SiloSettings.Text(configuration, SiloOption.TlsCert);
        var key = SiloSettings.Text(configuration, SiloOption.TlsKey);
        var authority = SiloSettings.Text(configuration, SiloOption.TlsCa);
        var password = SiloSettings.Text(configuration, SiloOption.TlsPassword);
        var anyFile = certificate is not null || key is not null || authority is not null || password is not null;
        if (mode == "off")
        {
            if (anyFile)
            {
                throw new SiloArgumentException(
                    $"{SiloOption.Tls.Display} is off but TLS files are given ({string.Join(", ", GivenOptions(certificate, key, authority, password))}); drop one or the other.");
            }

            return null;
        }

        if (certificate is null || authority is null)
        {
            if (anyFile || mode == "on")
            {
                var missing = new[] { certificate is null ? SiloOption.TlsCert.Display : null, authority is null ? SiloOption.TlsCa.Display : null }.OfType<string>();
                throw new SiloArgumentException($"TLS needs {string.Join(" and ", missing)} as well; make test ones with deploy/tls/make-test-certs.sh.");
            }

            if (!IPAddress.IsLoopback(advertisedIp))
            {
                throw new SiloArgumentException(
                    $"{SiloOption.AdvertisedIp.Display} is {advertisedIp}, so other machines reach this silo: give it {SiloOption.TlsCert.Display}, {SiloOption.TlsKey.Display} and {SiloOption.TlsCa.Display} " +
                    $"(test ones: deploy/tls/make-test-certs.sh), or {SiloOption.Tls.Display} off on a network you trust.");
            }

            return null;
        }

        return new ClusterTlsFiles(certificate, key, authority, password);
    }

    /// <summary>Reads the files; a problem with one names the option it came from.</summary>
    /// <exception cref="SiloArgumentException">A file is missing, unreadable, not issued by the authority or not meant for a silo.</exception>
    public static ClusterTlsCredentials Load(ClusterTlsFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        try
        {
            return ClusterTlsCredentials.Load(files, ClusterTlsRole.Silo);
        }
        catch (ClusterTlsException e)
        {
            var option = e.File switch
            {
                ClusterTlsFile.Key => SiloOption.TlsKey,
                ClusterTlsFile.Authority => SiloOption.TlsCa,
                _ => SiloOption.TlsCert,
            };
            throw new SiloArgumentException($"{option.Display}: {e.Message}", e);
        }
    }

    private static IEnumerable<string> GivenOptions(string? certificate, string? key, string? authority, string? password)
    {
        if (certificate is not null) yield return SiloOption.TlsCert.Switch;
        if (key is not null) yield return SiloOption.TlsKey.Switch;
        if (authority is not null) yield return SiloOption.TlsCa.Switch;
        if (password is not null) yield return SiloOption.TlsPassword.Switch;
    }
}
