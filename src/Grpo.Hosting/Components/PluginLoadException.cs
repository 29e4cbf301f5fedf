namespace Grpo.Hosting.Components;

/// <summary>A plugin folder or one of its assemblies could not be used; the message names the file.</summary>
public sealed class PluginLoadException(string message, Exception? inner = null) : Exception(message, inner);
