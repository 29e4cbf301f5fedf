using Grpo.Core.Checkpoints;
using TorchSharp;
using Grpo.Core.Tests.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class WeightSnapshotBFloat16Tests
{
    [Fact]
    public void A_bfloat16_image_is_half_the_size_and_restores_the_bfloat16_rounded_weights()
    {
        using var source = TestModels.Create(TestModels.Qwen2(), seed: 1);
        using var target = TestModels.Create(TestModels.Qwen2(), seed: 2);
        var values = source.state_dict().Values.Sum(t => t.numel());

        var image = WeightSnapshot.Capture(source, segmentBytes: 1001, imageType: ScalarType.BFloat16);
        WeightSnapshot.Restore(target, image, "bf16 v1");

        Assert.Equal(values * 2, image.TotalBytes);
        using var comparisons = NewDisposeScope();
        var restored = target.state_dict();
        foreach (var (name, value) in source.state_dict())
        {
            using var rounded = value.detach().to(ScalarType.BFloat16).to(ScalarType.Float32);
            TensorAssert.Identical(rounded, restored[name], name);
        }
    }

    [Fact]
    public void Converting_a_float32_image_gives_the_bytes_and_checksum_of_capturing_in_bfloat16()
    {
        using var model = TestModels.Create(TestModels.Qwen3(), seed: 3);
        var captured = WeightSnapshot.Capture(model, segmentBytes: 4096, imageType: ScalarType.BFloat16);

        var converted = WeightSnapshot.Convert(WeightSnapshot.Capture(model, segmentBytes: 4096), ScalarType.BFloat16);

        Assert.Equal(captured.ToArray(), converted.ToArray());
        Assert.Equal(captured.Sha256(), converted.Sha256());
        Assert.NotEqual(WeightSnapshot.Capture(model, segmentBytes: 4096).Sha256(), converted.Sha256());
    }

    [Fact]
    public void A_bfloat16_model_loads_a_bfloat16_image_exactly()
    {
        using var source = TestModels.Create(TestModels.Qwen3(), seed: 4);
        using var target = TestModels.Create(TestModels.Qwen3(), seed: 5);
        target.to(ScalarType.BFloat16);

        WeightSnapshot.Restore(target, WeightSnapshot.Capture(source, imageType: ScalarType.BFloat16), "bf16 v2");

        using var comparisons = NewDisposeScope();
        var restored = target.state_dict();
        foreach (var (name, value) in source.state_dict())
        {
            using var rounded = value.detach().to(ScalarType.BFloat16);
            TensorAssert.Identical(rounded, restored[name], name);
        }
    }

    [Fact]
    public void An_image_of_neither_size_is_refused_naming_both()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var values = model.state_dict().Values.Sum(t => t.numel());
        var error = Assert.Throws<InvalidDataException>(() => WeightSnapshot.Restore(model, WeightImage.Allocate(values * 3, 4096), "policy v7"));
        Assert.Contains("policy v7", error.Message);
        Assert.Contains($"{values * 4} (float32) or {values * 2} (bfloat16)", error.Message);
    }
}
