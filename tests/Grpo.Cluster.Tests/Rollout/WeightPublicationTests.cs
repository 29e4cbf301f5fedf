using Grpo.Core.Checkpoints;
using Grpo.Grains.Learning;

namespace Grpo.Cluster.Tests.Rollout;

public sealed class WeightPublicationTests
{
    [Fact]
    public void Chunks_put_back_together_give_the_published_image_and_its_checksum()
    {
        var publication = new WeightPublication(chunkBytes: 4, keepVersions: 2);
        var image = Enumerable.Range(1, 10).Select(i => (byte)i).ToArray();

        var manifest = publication.Publish(3, image);
        image[0] = 99; // the publisher reusing its buffer must not change what was published

        Assert.Equal(3, manifest.ChunkCount);
        var chunks = Enumerable.Range(0, manifest.ChunkCount).Select(i => publication.Chunk(3, i)).ToArray();
        Assert.Equal([4, 4, 2], chunks.Select(c => c.Length));
        var rebuilt = chunks.SelectMany(c => c).ToArray();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (byte)i), rebuilt);
        Assert.Equal(manifest.Sha256, WeightSnapshot.Sha256(rebuilt));
        Assert.Throws<ArgumentOutOfRangeException>(() => publication.Chunk(3, 3));
    }

    [Fact]
    public void Only_the_newest_versions_stay_published()
    {
        var publication = new WeightPublication(chunkBytes: 8, keepVersions: 2);
        foreach (var version in new long[] { 1, 2, 3 }) publication.Publish(version, [(byte)version]);

        Assert.Equal(3, publication.Latest);
        Assert.Equal([2], publication.Chunk(2, 0));
        var error = Assert.Throws<InvalidOperationException>(() => publication.Chunk(1, 0));
        Assert.Contains("newest is 3", error.Message);
    }
}
