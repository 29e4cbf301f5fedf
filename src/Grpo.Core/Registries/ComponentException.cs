namespace Grpo.Core.Registries;

/// <summary>
/// A configured component could not be selected or built: its name is not registered, a parameter is unknown or has
/// the wrong type, or its constructor refused the values. <see cref="Path"/> names the configuration key it came from
/// (e.g. <c>rewards[1].url</c>) so the error can point at the file's line.
/// </summary>
public class ComponentException(string path, string problem, Exception? inner = null)
    : Exception($"{path}: {problem}", inner)
{
    /// <summary>The configuration key of the offending value: <c>loss_type</c>, <c>rewards[1]</c>, <c>rewards[1].url</c>.</summary>
    public string Path { get; } = path;

    /// <summary>What is wrong, without the path.</summary>
    public string Problem { get; } = problem;
}

/// <summary>
/// A component asked for something its run does not offer (a task, a tokenizer): a fault of the host, or a check made
/// before the run exists, which then cannot judge this component further.
/// </summary>
public sealed class MissingComponentServiceException(string path, string problem) : ComponentException(path, problem);
