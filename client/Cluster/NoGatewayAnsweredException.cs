namespace Grpo.Client.Cluster;

/// <summary>
/// No gateway of the cluster answered while the client connected; the message is the client's own sentence on why (see
/// <see cref="GatewayConnectionDiagnosis"/>), printed whole. A timeout, so it counts as a cluster that may come back.
/// </summary>
public sealed class NoGatewayAnsweredException(string message) : TimeoutException(message);
