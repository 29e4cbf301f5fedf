using System.CommandLine;
using Grpo.Client;
using Grpo.Client.Cluster;
using Grpo.Client.Progress;
using Grpo.Client.Train;
using Grpo.Client.Watch;
using Grpo.Cluster.Tests.Client;

namespace Grpo.Cluster.Tests.Tls;

/// <summary>Every cluster command takes the client's TLS files from options or GRPO_TLS_ variables and checks them before connecting.</summary>
public sealed class ClientTlsOptionsTests : IDisposable
{
    private const string Connection = "Host=db;Database=grpo;Username=grpo;Password=secret";

    private readonly TemporaryFolder folder = new();
    private readonly TestAuthority authority;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private readonly Dictionary<string, string?> environment = [];
    private readonly FakeClusterConnector connector = new() { ConnectFailure = new TimeoutException("no silo answered") };

    public ClientTlsOptionsTests() => authority = new TestAuthority(folder.Path, "cluster");

    public void Dispose()
    {
        authority.Dispose();
        folder.Dispose();
    }

    [Theory]
    [InlineData("submit", "--run-id", "r")]
    [InlineData("watch", "r")]
    [InlineData("status", "r")]
    [InlineData("list")]
    [InlineData("stop", "r")]
    [InlineData("resume", "r")]
    public async Task Every_cluster_command_passes_its_TLS_files_to_the_connection(params string[] args)
    {
        var client = authority.IssueClient("client");

        await InvokeAsync([.. args, "--cluster", Connection, "--tls-cert", client.CertificatePath, "--tls-key", client.KeyPath!, "--tls-ca", client.AuthorityPath]);

        var target = Assert.Single(connector.Connections);
        Assert.Equal(client, target.Tls);
    }

    [Fact]
    public async Task The_files_come_from_the_GRPO_TLS_variables_and_an_option_wins_over_its_variable()
    {
        var client = authority.IssueClient("client");
        var second = authority.IssueClient("second");
        environment[ClientTls.CertificateVariable] = client.CertificatePath;
        environment[ClientTls.KeyVariable] = client.KeyPath;
        environment[ClientTls.AuthorityVariable] = client.AuthorityPath;

        await InvokeAsync("list", "--cluster", Connection);
        await InvokeAsync("list", "--cluster", Connection, "--tls-cert", second.CertificatePath, "--tls-key", second.KeyPath!);

        Assert.Equal([client, second], connector.Connections.Select(target => target.Tls));
    }

    [Fact]
    public async Task Without_TLS_files_the_client_connects_in_plaintext()
    {
        await InvokeAsync("list", "--cluster", Connection);

        Assert.Null(Assert.Single(connector.Connections).Tls);
    }

    [Fact]
    public async Task A_certificate_without_an_authority_exits_with_2_before_connecting()
    {
        var client = authority.IssueClient("client");

        var exitCode = await InvokeAsync("list", "--cluster", Connection, "--tls-cert", client.CertificatePath, "--tls-key", client.KeyPath!);

        Assert.Equal(ExitCodes.InvalidArguments, exitCode);
        Assert.Equal("grpo: mutual TLS needs --tls-ca ($GRPO_TLS_CA) as well.", error.ToString().TrimEnd());
        Assert.Empty(connector.Connections);
    }

    [Fact]
    public async Task A_missing_key_file_exits_with_2_naming_the_option_and_the_file()
    {
        var client = authority.IssueClient("client");
        var absent = Path.Combine(folder.Path, "absent.key");

        var exitCode = await InvokeAsync("status", "r", "--cluster", Connection, "--tls-cert", client.CertificatePath, "--tls-key", absent, "--tls-ca", client.AuthorityPath);

        Assert.Equal(ExitCodes.InvalidArguments, exitCode);
        Assert.Equal($"grpo: --tls-key ($GRPO_TLS_KEY): TLS key file {absent} does not exist.", error.ToString().TrimEnd());
        Assert.Empty(connector.Connections);
    }

    [Fact]
    public async Task A_certificate_the_given_authority_did_not_issue_exits_with_2()
    {
        using var other = new TestAuthority(folder.Path, "other");
        var stranger = other.IssueClient("stranger");

        var exitCode = await InvokeAsync("list", "--cluster", Connection, "--tls-cert", stranger.CertificatePath, "--tls-key", stranger.KeyPath!, "--tls-ca", authority.AuthorityPath);

        Assert.Equal(ExitCodes.InvalidArguments, exitCode);
        Assert.StartsWith($"grpo: --tls-cert ($GRPO_TLS_CERT): TLS certificate {stranger.CertificatePath} is not trusted by the authority in {authority.AuthorityPath}", error.ToString());
        Assert.Empty(connector.Connections);
    }

    private Task<int> InvokeAsync(params string[] args)
    {
        var watcher = new RunWatcher(new PlainProgressView(output), output, error, new TrainSettings { PollInterval = TimeSpan.FromMilliseconds(5) });
        var cluster = new ClusterCommands(connector, watcher, output, error);
        var root = GrpoCommandLine.Create(new RefusingTrainRunner(), cluster, environment: name => environment.GetValueOrDefault(name));
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private sealed class RefusingTrainRunner : ITrainRunner
    {
        public Task<int> RunAsync(TrainArguments arguments, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the cluster commands must not train in-process");
    }
}
