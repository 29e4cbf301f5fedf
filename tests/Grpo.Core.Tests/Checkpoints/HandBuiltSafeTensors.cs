using System.Text;

namespace Grpo.Core.Tests.Checkpoints;

/// <summary>Builds safetensors bytes by hand — the independent reference the reader is checked against.</summary>
internal static class HandBuiltSafeTensors
{
    public static byte[] Build(string headerJson, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var bytes = new byte[8 + header.Length + data.Length];
        var length = (ulong)header.Length;
        for (var i = 0; i < 8; i++)
            bytes[i] = (byte)(length >> (8 * i));
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    public static byte[] Float32(params float[] values) => values.SelectMany(v => LittleEndian(BitConverter.SingleToUInt32Bits(v), 4)).ToArray();

    public static byte[] Float16(params float[] values) => values.SelectMany(v => LittleEndian(BitConverter.HalfToUInt16Bits((Half)v), 2)).ToArray();

    /// <summary>bfloat16 is the upper half of a float32; the test values are exactly representable so truncation is exact.</summary>
    public static byte[] BFloat16(params float[] values) => values.SelectMany(v => LittleEndian(BitConverter.SingleToUInt32Bits(v) >> 16, 2)).ToArray();

    public static byte[] Int64(params long[] values) => values.SelectMany(v => LittleEndian((ulong)v, 8)).ToArray();

    static IEnumerable<byte> LittleEndian(ulong value, int width)
    {
        for (var i = 0; i < width; i++)
            yield return (byte)(value >> (8 * i));
    }
}
