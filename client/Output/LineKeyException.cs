namespace Grpo.Client.Output;

/// <summary>A line of a keyed JSON-lines file lacks its key field or holds a value of the wrong kind there.</summary>
internal sealed class LineKeyException(string message) : Exception(message);
