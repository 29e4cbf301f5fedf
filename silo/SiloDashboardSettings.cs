using System.Net;
using Microsoft.Extensions.Configuration;

namespace Grpo.Silo;

/// <summary>
/// Reads --dashboard-bind and --dashboard-token-file. The dashboard listens on loopback unless asked otherwise, and an
/// address other machines can reach needs a token, since the dashboard shows the whole cluster.
/// </summary>
public static class SiloDashboardSettings
{
    /// <summary>Tokens shorter than this are guessable.</summary>
    public const int MinimumTokenLength = 16;

    /// <exception cref="SiloArgumentException">A bad address, an unusable token file, or a reachable address without a token.</exception>
    public static (IPAddress Bind, string? Token) From(IConfiguration configuration, bool dashboardOn)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var bindText = SiloSettings.Text(configuration, SiloOption.DashboardBind);
        var tokenFile = SiloSettings.Text(configuration, SiloOption.DashboardTokenFile);
        if (!dashboardOn && (bindText ?? tokenFile) is not null)
        {
            var given = bindText is not null ? SiloOption.DashboardBind : SiloOption.DashboardTokenFile;
            throw new SiloArgumentException($"{given.Display} is set but there is no dashboard; add {SiloOption.DashboardPort.Display}.");
        }

        var bind = IPAddress.Loopback;
        if (bindText is not null && !IPAddress.TryParse(bindText, out bind))
        {
            throw new SiloArgumentException($"{SiloOption.DashboardBind.Display} is '{bindText}'; expected an IP address such as 127.0.0.1 or 0.0.0.0.");
        }

        var token = tokenFile is null ? null : ReadToken(tokenFile);
        if (!IPAddress.IsLoopback(bind) && token is null)
        {
            throw new SiloArgumentException(
                $"{SiloOption.DashboardBind.Display} is {bind}, which other machines reach; the dashboard then needs {SiloOption.DashboardTokenFile.Display}.");
        }

        return (bind, token);
    }

    private static string ReadToken(string path)
    {
        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SiloArgumentException($"{SiloOption.DashboardTokenFile.Display}: cannot read {Path.GetFullPath(path)}: {e.Message}", e);
        }

        if (token.Length < MinimumTokenLength || token.Any(char.IsWhiteSpace))
        {
            throw new SiloArgumentException(
                $"{SiloOption.DashboardTokenFile.Display}: {Path.GetFullPath(path)} must hold one token of at least {MinimumTokenLength} characters without spaces (e.g. from: openssl rand -hex 32).");
        }

        return token;
    }
}
