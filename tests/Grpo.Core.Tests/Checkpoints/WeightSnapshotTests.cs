using Grpo.Core.Checkpoints;
using Grpo.Core.Tests.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class WeightSnapshotTests
{
    [Fact]
    public void Restored_model_gives_identical_logits()
    {
        using var source = TestModels.Create(TestModels.Qwen2(), seed: 1);
        using var target = TestModels.Create(TestModels.Qwen2(), seed: 2);
        var image = WeightSnapshot.Capture(source);
        WeightSnapshot.Restore(target, image, "v1");

        using var ids = tensor(new long[] { 1, 4, 9, 2 }).unsqueeze(0);
        Assert.True(allclose(source.forward(ids), target.forward(ids), rtol: 0, atol: 0));
        Assert.Equal(source.parameters().Sum(p => p.numel()) * 4, image.TotalBytes);
    }

    [Fact]
    public void An_image_cut_into_many_small_segments_holds_the_same_bytes_and_restores_the_same_model()
    {
        using var source = TestModels.Create(TestModels.Qwen2(), seed: 3);
        using var target = TestModels.Create(TestModels.Qwen2(), seed: 4);
        var whole = WeightSnapshot.Capture(source, segmentBytes: int.MaxValue);
        // 1,001 bytes: not a multiple of four, so values and tensors straddle segment boundaries.
        var segmented = WeightSnapshot.Capture(source, segmentBytes: 1001);

        Assert.Single(whole.Segments);
        Assert.Equal((int)((whole.TotalBytes + 1000) / 1001), segmented.Segments.Count);
        Assert.True(segmented.Segments.Count > 10, $"only {segmented.Segments.Count} segments");
        Assert.Equal(whole.ToArray(), segmented.ToArray());
        Assert.Equal(whole.Sha256(), segmented.Sha256());

        WeightSnapshot.Restore(target, segmented, "segmented v1");
        using var ids = tensor(new long[] { 3, 1, 4, 1, 5 }).unsqueeze(0);
        Assert.True(allclose(source.forward(ids), target.forward(ids), rtol: 0, atol: 0));
    }

    [Fact]
    public void Image_of_the_wrong_size_is_refused_by_name()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var image = WeightSnapshot.Capture(model).ToArray();
        var error = Assert.Throws<InvalidDataException>(() => WeightSnapshot.Restore(model, WeightImage.Copy(image[..^4], 4096), "policy v3"));
        Assert.Contains("policy v3", error.Message);
    }

    [Fact]
    public void Checksum_changes_with_one_flipped_byte()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var image = WeightSnapshot.Capture(model, segmentBytes: 4096);
        var sum = image.Sha256();
        image.Segments[image.Segments.Count / 2][7] ^= 1;
        Assert.NotEqual(sum, image.Sha256());
        Assert.Equal(64, sum.Length);
    }

    [Fact]
    public void Segments_that_do_not_tile_the_image_are_refused_naming_the_segment()
    {
        var shortMiddle = Assert.Throws<InvalidDataException>(() => new WeightImage([new byte[8], new byte[7], new byte[3]], segmentBytes: 8));
        Assert.Contains("segment 1 of 3 has 7 bytes", shortMiddle.Message);
        var longLast = Assert.Throws<InvalidDataException>(() => new WeightImage([new byte[8], new byte[9]], segmentBytes: 8));
        Assert.Contains("segment 1 of 2 has 9 bytes", longLast.Message);
        var emptyLast = Assert.Throws<InvalidDataException>(() => new WeightImage([new byte[8], []], segmentBytes: 8));
        Assert.Contains("segment 1 of 2 has 0 bytes", emptyLast.Message);
        Assert.Equal(19, new WeightImage([new byte[8], new byte[8], new byte[3]], segmentBytes: 8).TotalBytes);
    }

    [Fact]
    public void Reads_and_writes_cross_segment_boundaries()
    {
        var image = WeightImage.Allocate(10, segmentBytes: 3);
        image.Write(2, [1, 2, 3, 4, 5]);

        Assert.Equal([3, 3, 3, 1], image.Segments.Select(s => s.Length));
        Assert.Equal(new byte[] { 0, 0, 1, 2, 3, 4, 5, 0, 0, 0 }, image.ToArray());
        var read = new byte[4];
        image.Read(3, read);
        Assert.Equal(new byte[] { 2, 3, 4, 5 }, read);
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Write(8, [1, 2, 3]));
    }
}
