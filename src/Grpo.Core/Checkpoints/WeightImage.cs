using System.Security.Cryptography;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// A policy's flat weight image (see <see cref="WeightSnapshot"/>) held as consecutive segments of
/// <see cref="SegmentBytes"/> bytes each, the last one possibly shorter. No managed array or span can pass 2 GiB, so an
/// image of a larger model cannot be one byte[]; as segments it can be of any size. The segments are also the chunks the
/// image travels in, so publishing and pulling a version keep one copy of it, never a second one cut from the first.
/// </summary>
public sealed class WeightImage
{
    readonly byte[][] segments;

    /// <summary>Wraps <paramref name="segments"/> (not copied): every one but the last must hold exactly <paramref name="segmentBytes"/> bytes.</summary>
    /// <exception cref="InvalidDataException">A segment is empty, too long, or shorter than its place in the image allows.</exception>
    public WeightImage(IReadOnlyList<byte[]> segments, int segmentBytes)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentBytes);
        for (var index = 0; index < segments.Count; index++)
        {
            var length = segments[index]?.Length ?? throw new InvalidDataException($"weight image segment {index} of {segments.Count} is missing.");
            var last = index == segments.Count - 1;
            if (last ? length is < 1 || length > segmentBytes : length != segmentBytes)
                throw new InvalidDataException(
                    $"weight image segment {index} of {segments.Count} has {length} bytes; " +
                    (last ? $"the last segment must hold 1 to {segmentBytes}." : $"every segment but the last must hold exactly {segmentBytes}."));
        }
        this.segments = [.. segments];
        SegmentBytes = segmentBytes;
        TotalBytes = this.segments.Length == 0 ? 0 : (long)(this.segments.Length - 1) * segmentBytes + this.segments[^1].Length;
    }

    /// <summary>Bytes per segment (the last one may hold fewer).</summary>
    public int SegmentBytes { get; }

    public long TotalBytes { get; }

    public IReadOnlyList<byte[]> Segments => segments;

    /// <summary>Segments of <paramref name="segmentBytes"/> holding <paramref name="totalBytes"/> bytes, all zero.</summary>
    public static WeightImage Allocate(long totalBytes, int segmentBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentBytes);
        var count = checked((int)((totalBytes + segmentBytes - 1) / segmentBytes));
        var segments = new byte[count][];
        for (var index = 0; index < count; index++)
            segments[index] = new byte[Math.Min(segmentBytes, totalBytes - (long)index * segmentBytes)];
        return new WeightImage(segments, segmentBytes);
    }

    /// <summary>A copy of <paramref name="bytes"/> cut into segments of <paramref name="segmentBytes"/>.</summary>
    public static WeightImage Copy(ReadOnlySpan<byte> bytes, int segmentBytes)
    {
        var image = Allocate(bytes.Length, segmentBytes);
        image.Write(0, bytes);
        return image;
    }

    /// <summary>The whole image in one array, for images below 2 GiB (tests, small tools).</summary>
    /// <exception cref="InvalidOperationException">The image is larger than one array can be.</exception>
    public byte[] ToArray()
    {
        if (TotalBytes > Array.MaxLength)
            throw new InvalidOperationException($"a weight image of {TotalBytes} bytes does not fit in one array (at most {Array.MaxLength} bytes); use its segments.");
        var bytes = new byte[TotalBytes];
        Read(0, bytes);
        return bytes;
    }

    /// <summary>The SHA-256 (upper-case hex) of the image's bytes in order, read segment by segment.</summary>
    public string Sha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var segment in segments) hash.AppendData(segment);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>Copies <paramref name="source"/> into the image from byte <paramref name="offset"/> on, across segment boundaries.</summary>
    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        CheckRange(offset, source.Length);
        while (!source.IsEmpty)
        {
            var (segment, within) = Locate(offset);
            var count = Math.Min(source.Length, segments[segment].Length - within);
            source[..count].CopyTo(segments[segment].AsSpan(within));
            source = source[count..];
            offset += count;
        }
    }

    /// <summary>Fills <paramref name="destination"/> from the image's bytes from <paramref name="offset"/> on, across segment boundaries.</summary>
    public void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        while (!destination.IsEmpty)
        {
            var (segment, within) = Locate(offset);
            var count = Math.Min(destination.Length, segments[segment].Length - within);
            segments[segment].AsSpan(within, count).CopyTo(destination);
            destination = destination[count..];
            offset += count;
        }
    }

    (int Segment, int Within) Locate(long offset) => ((int)(offset / SegmentBytes), (int)(offset % SegmentBytes));

    void CheckRange(long offset, int length)
    {
        if (offset < 0 || offset + length > TotalBytes)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"bytes {offset}..{offset + length} lie outside the weight image of {TotalBytes} bytes.");
    }
}
