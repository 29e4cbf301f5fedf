using Grpo.Configuration;
using Grpo.Core.Registries;
using Grpo.Grains.Runs.Components;
using Grpo.Hosting.Components;

namespace Grpo.Client.Train;

/// <summary>The components the in-process silo of <c>grpo train</c> will have: the built-ins and the plugins it is given.</summary>
public static class EmbeddedComponents
{
    /// <exception cref="PluginLoadException">A plugin folder or assembly cannot be used.</exception>
    public static ComponentCatalog Catalog(IReadOnlyList<string> pluginDirectories)
    {
        ArgumentNullException.ThrowIfNull(pluginDirectories);
        if (pluginDirectories.Count == 0) return RunComponentCatalog.Default;
        var registries = GrpoRegistries.CreateDefault();
        foreach (var directory in pluginDirectories)
        {
            PluginLoader.LoadInto(registries, directory);
        }

        return RunComponentCatalog.Build(registries);
    }
}
