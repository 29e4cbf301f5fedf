using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Grpo.Hosting.Dashboards;

/// <summary>
/// Lets a dashboard request through only with the token: <c>Authorization: Bearer TOKEN</c> for scripts, or Basic
/// authentication with the token as password (any user name), so a browser asks once and sends it again with every
/// request, the page's event streams included. Others get 401, naming <paramref name="realm"/> (the silo's dashboard or
/// the training one) in the browser's prompt.
/// </summary>
public sealed class DashboardTokenCheck(string token, string realm)
{
    private readonly byte[] expected = Encoding.UTF8.GetBytes(token);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (Presented(context.Request.Headers.Authorization.ToString()) is { } presented && Matches(presented))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{realm}\", charset=\"UTF-8\"";
        await context.Response.WriteAsync("The dashboard needs its token: Authorization: Bearer TOKEN, or the token as the Basic password.\n");
    }

    private static string? Presented(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : pair[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // Compared in constant time, so the response time does not tell how much of a guess was right.
    private bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), expected);
}
