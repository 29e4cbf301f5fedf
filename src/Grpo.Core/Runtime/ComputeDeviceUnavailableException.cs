namespace Grpo.Core.Runtime;

/// <summary>The requested torch device cannot be used by this build or on this machine; the message is one sentence.</summary>
public sealed class ComputeDeviceUnavailableException(string message) : Exception(message);
