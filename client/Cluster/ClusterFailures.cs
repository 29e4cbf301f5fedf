using System.Net.Sockets;
using Grpo.Hosting;

namespace Grpo.Client.Cluster;

/// <summary>Tells a cluster the client cannot reach (for now) from an answer the cluster gave.</summary>
public static class ClusterFailures
{
    /// <summary>
    /// The database or every gateway is unreachable, a gateway died mid-call ("Response did not arrive on time"), or no
    /// gateway is left ("No gateways available"): conditions that pass when the silos or the database come back. An
    /// exception a grain threw, or a database that refuses the user or lacks the schema, is an answer, not one of these.
    /// </summary>
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        ClusterConfigurationException configuration => configuration.Problem == ClusterProblem.Unreachable,
        TimeoutException or OrleansException or SocketException or IOException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsUnreachable),
        _ => false,
    };

    /// <summary>
    /// The first line of the exception's message: Orleans appends diagnostics that do not belong in a one-line report.
    /// The connector's own sentences (what failed and what to do) are kept whole; others are cut to a line's length.
    /// </summary>
    public static string Reason(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message.Split('\n', 2)[0].Trim();
        return exception is not (ClusterConfigurationException or NoGatewayAnsweredException) && message.Length > 200 ? message[..200] + "..." : message;
    }
}
