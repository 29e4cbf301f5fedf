using System.Reflection;
using System.Runtime.Loader;
using Grpo.Core.Registries;

namespace Grpo.Hosting.Components;

/// <summary>
/// Loads the assemblies of a plugin folder and registers their <see cref="GrpoComponentAttribute"/> classes. Plugins
/// load into the default context, so their rewards and tasks implement the very interfaces the host uses; assemblies
/// the host already has (Grpo.Core, Orleans, TorchSharp, copied beside a plugin by its build) are taken from the host.
/// </summary>
public static class PluginLoader
{
    /// <summary>Registers the components of every plugin assembly in <paramref name="directory"/> into <paramref name="registries"/>.</summary>
    /// <returns>The plugin assemblies that were scanned, in file-name order.</returns>
    /// <exception cref="PluginLoadException">The folder is missing, or a file is not a .NET assembly, cannot load or declares a component that fits no registry.</exception>
    public static IReadOnlyList<Assembly> LoadInto(GrpoRegistries registries, string directory)
    {
        ArgumentNullException.ThrowIfNull(registries);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var folder = Path.GetFullPath(directory);
        if (!Directory.Exists(folder))
        {
            throw new PluginLoadException($"plugin folder {folder} does not exist");
        }

        var hostAssemblies = AssemblyLoadContext.Default.Assemblies.Select(a => a.GetName().Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var files = Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new PluginLoadException($"plugin folder {folder} holds no .dll file");
        }

        ResolveDependenciesFrom(folder);
        var loaded = new List<Assembly>();
        foreach (var file in files)
        {
            AssemblyName name;
            try
            {
                name = AssemblyName.GetAssemblyName(file);
            }
            catch (BadImageFormatException)
            {
                throw new PluginLoadException($"{file} is not a .NET assembly");
            }

            if (hostAssemblies.Contains(name.Name!) || IsFrameworkOrPackage(file))
            {
                continue;
            }

            Assembly assembly;
            try
            {
                assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(file);
            }
            catch (Exception e) when (e is FileLoadException or BadImageFormatException or FileNotFoundException)
            {
                throw new PluginLoadException($"{file} cannot be loaded: {e.Message}", e);
            }

            if (!References(assembly, typeof(GrpoRegistries).Assembly))
            {
                continue; // a dependency of a plugin, not a plugin
            }

            try
            {
                registries.AddFromAssembly(assembly);
            }
            catch (Exception e) when (e is ArgumentException or ReflectionTypeLoadException or TypeLoadException)
            {
                throw new PluginLoadException($"{file}: {e.Message}", e);
            }

            loaded.Add(assembly);
        }

        return loaded;
    }

    static bool References(Assembly assembly, Assembly core) =>
        assembly.GetReferencedAssemblies().Any(reference => AssemblyName.ReferenceMatchesDefinition(reference, core.GetName()));

    // A plugin's build copies its package references beside it; their .deps.json names them, so they are never scanned.
    static bool IsFrameworkOrPackage(string file) =>
        Path.GetFileName(file).StartsWith("Microsoft.", StringComparison.Ordinal) || Path.GetFileName(file).StartsWith("System.", StringComparison.Ordinal);

    static readonly HashSet<string> ResolvingFolders = new(StringComparer.Ordinal);

    /// <summary>A plugin's own dependencies (a JSON library, say) are found in its folder when the host lacks them.</summary>
    static void ResolveDependenciesFrom(string folder)
    {
        lock (ResolvingFolders)
        {
            if (!ResolvingFolders.Add(folder)) return;
        }

        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var candidate = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
    }
}
