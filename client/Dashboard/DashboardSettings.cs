using System.Net;

namespace Grpo.Client.Dashboard;

/// <summary>
/// Where the dashboard listens and who may use it. It listens on loopback unless asked otherwise; an address other
/// machines can reach needs a token, since the page shows every run of the cluster (the silo dashboard's rule).
/// </summary>
/// <param name="Port">0 takes a free port; the address actually used is printed when the page is up.</param>
/// <param name="AllowControl">Offer stop and resume on the page; without it the control endpoints do not exist.</param>
public sealed record DashboardSettings(IPAddress Bind, int Port, string? Token, bool AllowControl)
{
    public const int DefaultPort = 5180;

    /// <summary>Tokens shorter than this are guessable.</summary>
    public const int MinimumTokenLength = 16;

    public static DashboardSettings Loopback(int port = DefaultPort, bool allowControl = false) => new(IPAddress.Loopback, port, null, allowControl);

    /// <summary>Checks the command line's values: the option named in each message is the one to fix.</summary>
    /// <exception cref="ArgumentException">A bad address or port, an unusable token file, or a reachable address without a token.</exception>
    public static DashboardSettings Resolve(string? bindText, int port, string? tokenFile, bool allowControl, string optionPrefix = "--")
    {
        var bind = IPAddress.Loopback;
        if (bindText is not null && !IPAddress.TryParse(bindText, out bind))
        {
            throw new ArgumentException($"{optionPrefix}bind is '{bindText}'; expected an IP address such as 127.0.0.1 or 0.0.0.0.");
        }

        if (port is < 0 or > 65535)
        {
            throw new ArgumentException($"{optionPrefix}port is {port}; expected 1-65535, or 0 for a free port.");
        }

        var token = tokenFile is null ? null : ReadToken(tokenFile, optionPrefix);
        if (!IPAddress.IsLoopback(bind) && token is null)
        {
            throw new ArgumentException($"{optionPrefix}bind is {bind}, which other machines reach; the dashboard then needs {optionPrefix}token-file.");
        }

        return new DashboardSettings(bind, port, token, allowControl);
    }

    private static string ReadToken(string path, string optionPrefix)
    {
        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{optionPrefix}token-file: cannot read {Path.GetFullPath(path)}: {e.Message}", e);
        }

        if (token.Length < MinimumTokenLength || token.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException(
                $"{optionPrefix}token-file: {Path.GetFullPath(path)} must hold one token of at least {MinimumTokenLength} characters without spaces (e.g. from: openssl rand -hex 32).");
        }

        return token;
    }
}
