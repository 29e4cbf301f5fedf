namespace Grpo.Client.Output;

/// <summary>A file the client would continue (metrics.jsonl, samples.jsonl) holds something it cannot read; the file is left as it is.</summary>
public sealed class OutputFileException(string message, Exception? inner = null) : Exception(message, inner);
