using Grpo.Client.Train;

namespace Grpo.Cluster.Tests.Client;

public sealed class EmbeddedClusterTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Free_port_pairs_are_two_distinct_valid_ports()
    {
        var (silo, gateway) = EmbeddedCluster.FreePortPair();
        Assert.InRange(silo, 1, 65535);
        Assert.InRange(gateway, 1, 65535);
        Assert.NotEqual(silo, gateway);
    }

    [Fact]
    public async Task Two_embedded_clusters_start_side_by_side_and_each_gives_a_client()
    {
        var first = await EmbeddedCluster.StartAsync(Path.Combine(folder.Path, "a"), Path.Combine(folder.Path, "a.log"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        await using (first)
        {
            var second = await EmbeddedCluster.StartAsync(Path.Combine(folder.Path, "b"), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            await using (second)
            {
                Assert.NotSame(first.Client, second.Client);
                Assert.NotNull(first.Client);
                Assert.NotNull(second.Client);
            }
        }

        Assert.True(File.Exists(Path.Combine(folder.Path, "a.log")));
    }
}
