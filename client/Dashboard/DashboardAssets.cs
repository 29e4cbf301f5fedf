using System.Reflection;

namespace Grpo.Client.Dashboard;

/// <summary>The page, its script and the chart library, embedded in the executable (see Dashboard/wwwroot/ORIGIN.md).</summary>
public static class DashboardAssets
{
    private const string Prefix = "dashboard/";
    private static readonly Assembly Assembly = typeof(DashboardAssets).Assembly;

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
        [".md"] = "text/plain; charset=utf-8",
        [".png"] = "image/png",
    };

    /// <summary>The file's bytes and content type, or null when no such file ships.</summary>
    public static (byte[] Content, string ContentType)? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var type))
        {
            return null;
        }

        using var stream = Assembly.GetManifestResourceStream(Prefix + name);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return (copy.ToArray(), type);
    }

    public static IEnumerable<string> Names =>
        Assembly.GetManifestResourceNames().Where(name => name.StartsWith(Prefix, StringComparison.Ordinal)).Select(name => name[Prefix.Length..]);
}
