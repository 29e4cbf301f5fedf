using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// A policy's weights as one flat byte image for publication to rollout silos: every state_dict tensor in ordinal
/// name order, as little-endian float32. Both ends build the model from the same config, so names and shapes are
/// known to both and only the numbers travel; the SHA-256 guards the image end to end.
/// </summary>
public static class WeightSnapshot
{
    public static byte[] Capture(nn.Module model)
    {
        var entries = Entries(model);
        var image = new byte[entries.Sum(e => e.Tensor.numel() * sizeof(float))];
        long offset = 0;
        using var scope = NewDisposeScope();
        foreach (var (_, value) in entries)
        {
            var values = value.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            bytes.CopyTo(image.AsSpan((int)offset));
            offset += bytes.Length;
        }
        return image;
    }

    public static void Restore(nn.Module model, byte[] image, string sourceName)
    {
        var entries = Entries(model);
        var expected = entries.Sum(e => e.Tensor.numel() * sizeof(float));
        if (image.LongLength != expected)
            throw new InvalidDataException($"{sourceName}: weight image has {image.LongLength} bytes, the model needs {expected}.");
        long offset = 0;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (_, target) in entries)
        {
            var length = (int)(target.numel() * sizeof(float));
            var values = MemoryMarshal.Cast<byte, float>(image.AsSpan((int)offset, length)).ToArray();
            target.copy_(tensor(values, target.shape).to(target.dtype, target.device));
            offset += length;
        }
    }

    public static string Sha256(byte[] image) => Convert.ToHexString(SHA256.HashData(image));

    static (string Name, Tensor Tensor)[] Entries(nn.Module model) =>
        model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToArray();
}
