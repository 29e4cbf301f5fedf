using System.Collections.Concurrent;

namespace Grpo.TestPlugin;

/// <summary>How often each of this plugin's components did its work in this process, so a test can see it was used.</summary>
public static class PluginUse
{
    static readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);

    public static void Count(string component) => counts.AddOrUpdate(component, 1, (_, n) => n + 1);

    public static int Of(string component) => counts.TryGetValue(component, out var n) ? n : 0;
}
