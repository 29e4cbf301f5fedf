namespace Grpo.Silo;

/// <summary>A bad command-line argument, GRPO_ environment variable or appsettings.json value; the message is one sentence.</summary>
public sealed class SiloArgumentException(string message, Exception? inner = null) : Exception(message, inner);
