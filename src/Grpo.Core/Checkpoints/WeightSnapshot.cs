using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// A policy's weights as one flat image for publication to rollout silos: every state_dict tensor in ordinal name
/// order, as little-endian float32, held in segments (<see cref="WeightImage"/>) so the image may exceed 2 GiB. Both
/// ends build the model from the same config, so names and shapes are known to both and only the numbers travel; the
/// image's SHA-256 guards it end to end.
/// </summary>
public static class WeightSnapshot
{
    /// <summary>The segment size when the caller names none: the default weight chunk of a run (4 MiB).</summary>
    public const int DefaultSegmentBytes = 4 << 20;

    /// <summary>Values moved between a tensor and the image at a time, so no tensor is copied whole to managed memory.</summary>
    const long PieceElements = 4L << 20;

    public static WeightImage Capture(nn.Module model, int segmentBytes = DefaultSegmentBytes) => Capture(model.state_dict(), segmentBytes);

    /// <summary>The image of named tensors, e.g. only a model's LoRA adapters (<see cref="Model.CausalLM.AdapterStateDict"/>).</summary>
    public static WeightImage Capture(IReadOnlyDictionary<string, Tensor> tensors, int segmentBytes = DefaultSegmentBytes)
    {
        var entries = Entries(tensors);
        var image = WeightImage.Allocate(entries.Sum(e => e.Tensor.numel()) * sizeof(float), segmentBytes);
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
                var piece = flat.narrow(0, start, Math.Min(PieceElements, count - start)).to(ScalarType.Float32).cpu().contiguous();
                image.Write(offset, piece.bytes);
                offset += piece.numel() * sizeof(float);
            }
        }
        return image;
    }

    /// <exception cref="InvalidDataException">The image's size does not fit the model (named by <paramref name="sourceName"/>).</exception>
    public static void Restore(nn.Module model, WeightImage image, string sourceName) => Restore(model.state_dict(), image, sourceName);

    /// <summary>Copies an image captured from tensors of these names and shapes into <paramref name="targets"/>.</summary>
    public static void Restore(IReadOnlyDictionary<string, Tensor> targets, WeightImage image, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(image);
        var entries = Entries(targets);
        var expected = entries.Sum(e => e.Tensor.numel() * sizeof(float));
        if (image.TotalBytes != expected)
            throw new InvalidDataException($"{sourceName}: weight image has {image.TotalBytes} bytes, the model needs {expected}.");
        long offset = 0;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var staging = empty(Math.Max(1, Math.Min(PieceElements, entries.Select(e => e.Tensor.numel()).DefaultIfEmpty(0).Max())), ScalarType.Float32);
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
                offset += length * sizeof(float);
            }
            if (!contiguous) target.copy_(destination);
        }
    }

    static (string Name, Tensor Tensor)[] Entries(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToArray();
}
