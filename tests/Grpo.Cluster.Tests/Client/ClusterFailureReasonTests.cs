using Grpo.Client.Cluster;
using Grpo.Hosting;
using Orleans.Runtime;

namespace Grpo.Cluster.Tests.Client;

/// <summary>The one line a client prints for a failed connection: whole when it is the connector's own sentence.</summary>
public sealed class ClusterFailureReasonTests
{
    [Fact]
    public void The_connectors_own_sentence_is_kept_whole_however_long()
    {
        var sentence = "no silo answered within 15 s: this client refused the gateway's TLS certificate 'CN=silo': " +
            "unable to get local issuer certificate; the silos' certificates and --tls-ca must come from the same authority.";
        var failure = new ClusterConfigurationException(ClusterProblem.Unreachable, sentence + "\n   at somewhere");

        Assert.True(sentence.Length > 200);
        Assert.Equal(sentence, ClusterFailures.Reason(failure));
    }

    [Fact]
    public void The_clients_sentence_on_why_no_gateway_answered_is_kept_whole()
    {
        var sentence = "no silo answered within 15 s: the gateways closed every connection right after the TLS handshake, as silos do " +
            "when they refuse a client's certificate; is this client's --tls-cert issued by the authority the silos trust?";

        Assert.Equal(sentence, ClusterFailures.Reason(new NoGatewayAnsweredException(sentence)));
        Assert.True(ClusterFailures.IsUnreachable(new NoGatewayAnsweredException(sentence)));
    }

    [Fact]
    public void Another_exceptions_first_line_is_cut_to_200_characters()
    {
        var failure = new OrleansException(new string('x', 300) + "\nExc level 0: diagnostics");

        Assert.Equal(new string('x', 200) + "...", ClusterFailures.Reason(failure));
    }
}
