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
        Assert.Equal(source.parameters().Sum(p => p.numel()) * 4, image.LongLength);
    }

    [Fact]
    public void Image_of_the_wrong_size_is_refused_by_name()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var image = WeightSnapshot.Capture(model);
        var error = Assert.Throws<InvalidDataException>(() => WeightSnapshot.Restore(model, image[..^4], "policy v3"));
        Assert.Contains("policy v3", error.Message);
    }

    [Fact]
    public void Checksum_changes_with_one_flipped_byte()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var image = WeightSnapshot.Capture(model);
        var sum = WeightSnapshot.Sha256(image);
        image[image.Length / 2] ^= 1;
        Assert.NotEqual(sum, WeightSnapshot.Sha256(image));
        Assert.Equal(64, sum.Length);
    }
}
