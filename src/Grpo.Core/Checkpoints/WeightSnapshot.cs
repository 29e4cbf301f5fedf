using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// A policy's weights as one flat image for publication to rollout silos: every state_dict tensor in ordinal name
/// order, as little-endian float32 or (when rollouts compute in bfloat16, at half the size) bfloat16, held in segments
/// (<see cref="WeightImage"/>) so the image may exceed 2 GiB. Both ends build the model from the same config, so names
/// and shapes are known to both and only the numbers travel; the element type follows from the image's size (two or
/// four bytes per value). The image's SHA-256 guards it end to end.
/// </summary>
public static class WeightSnapshot
{
    /// <summary>The segment size when the caller names none: the default weight chunk of a run (4 MiB).</summary>
    public const int DefaultSegmentBytes = 4 << 20;

    /// <summary>Values moved between a tensor and the image at a time, so no tensor is copied whole to managed memory.</summary>
    const long PieceElements = 4L << 20;

    /// <param name="imageType">Float32, or BFloat16 for rollouts that compute in bfloat16 and would round to it on load anyway.</param>
    public static WeightImage Capture(nn.Module model, int segmentBytes = DefaultSegmentBytes, ScalarType imageType = ScalarType.Float32) =>
        Capture(model.state_dict(), segmentBytes, imageType);

    /// <summary>The image of named tensors, e.g. only a model's LoRA adapters (<see cref="Model.CausalLM.AdapterStateDict"/>).</summary>
    public static WeightImage Capture(IReadOnlyDictionary<string, Tensor> tensors, int segmentBytes = DefaultSegmentBytes, ScalarType imageType = ScalarType.Float32)
    {
        var elementBytes = ElementBytes(imageType);
        var entries = Entries(tensors);
        var image = WeightImage.Allocate(entries.Sum(e => e.Tensor.numel()) * elementBytes, segmentBytes);
        long offset = 0;
        foreach (var (_, value) in entries)
        {
            using var scope = NewDisposeScope();
            var flat = value.detach().reshape(-1);
            var count = flat.numel();
            for (long start = 0; start < count; start += PieceElements)
            {
                using var pieceScope = NewDisposeScope();
                // Converted and moved to the CPU a piece at a time: a large tensor on a GPU never needs a full host copy.
                var piece = flat.narrow(0, start, Math.Min(PieceElements, count - start)).to(imageType).cpu().contiguous();
                image.Write(offset, piece.bytes);
                offset += piece.numel() * elementBytes;
            }
        }
        return image;
    }

    /// <summary>The element type of an image of <paramref name="totalBytes"/> for a model of <paramref name="values"/> numbers.</summary>
    /// <exception cref="InvalidDataException">The size fits neither float32 nor bfloat16 (named by <paramref name="sourceName"/>).</exception>
    public static ScalarType ImageType(long totalBytes, long values, string sourceName) =>
        totalBytes == values * sizeof(float) ? ScalarType.Float32
        : totalBytes == values * 2 && values > 0 ? ScalarType.BFloat16
        : throw new InvalidDataException(
            $"{sourceName}: weight image has {totalBytes} bytes, the model needs {values * sizeof(float)} (float32) or {values * 2} (bfloat16).");

    /// <exception cref="InvalidDataException">The image's size does not fit the model (named by <paramref name="sourceName"/>).</exception>
    public static void Restore(nn.Module model, WeightImage image, string sourceName) => Restore(model.state_dict(), image, sourceName);

    /// <summary>Copies an image captured from tensors of these names and shapes into <paramref name="targets"/>.</summary>
    public static void Restore(IReadOnlyDictionary<string, Tensor> targets, WeightImage image, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(image);
        var entries = Entries(targets);
        var imageType = ImageType(image.TotalBytes, entries.Sum(e => e.Tensor.numel()), sourceName);
        var elementBytes = ElementBytes(imageType);
        long offset = 0;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var staging = empty(Math.Max(1, Math.Min(PieceElements, entries.Select(e => e.Tensor.numel()).DefaultIfEmpty(0).Max())), imageType);
        foreach (var (_, target) in entries)
        {
            using var tensorScope = NewDisposeScope();
            var contiguous = target.is_contiguous();
            var destination = contiguous ? target : target.contiguous();
            var flat = destination.view(-1);
            var count = flat.numel();
            for (long start = 0; start < count; start += PieceElements)
            {
                using var pieceScope = NewDisposeScope();
                var length = Math.Min(PieceElements, count - start);
                var piece = staging.narrow(0, 0, length);
                image.Read(offset, piece.bytes);
                // copy_ converts to the target's dtype and device (bfloat16, a GPU) as it writes.
                flat.narrow(0, start, length).copy_(piece);
                offset += length * elementBytes;
            }
            if (!contiguous) target.copy_(destination);
        }
    }

    /// <summary>
    /// A float32 image (from <see cref="Capture"/>) rounded to <paramref name="imageType"/> as a new image with the same
    /// segment size, a piece at a time, exactly as capturing in that type would have rounded it.
    /// </summary>
    public static WeightImage Convert(WeightImage image, ScalarType imageType)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.TotalBytes % sizeof(float) != 0)
            throw new ArgumentException($"a float32 weight image holds a multiple of 4 bytes, not {image.TotalBytes}.", nameof(image));
        var values = image.TotalBytes / sizeof(float);
        var elementBytes = ElementBytes(imageType);
        var converted = WeightImage.Allocate(values * elementBytes, image.SegmentBytes);
        using var scope = NewDisposeScope();
        var staging = empty(Math.Max(1, Math.Min(PieceElements, values)), ScalarType.Float32);
        for (long start = 0; start < values; start += PieceElements)
        {
            using var pieceScope = NewDisposeScope();
            var length = Math.Min(PieceElements, values - start);
            var piece = staging.narrow(0, 0, length);
            image.Read(start * sizeof(float), piece.bytes);
            var rounded = piece.to(imageType).contiguous();
            converted.Write(start * elementBytes, rounded.bytes);
        }
        return converted;
    }

    static int ElementBytes(ScalarType imageType) => imageType switch
    {
        ScalarType.Float32 => sizeof(float),
        ScalarType.BFloat16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(imageType), imageType, "weight images hold Float32 or BFloat16 values."),
    };

    static (string Name, Tensor Tensor)[] Entries(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToArray();
}
