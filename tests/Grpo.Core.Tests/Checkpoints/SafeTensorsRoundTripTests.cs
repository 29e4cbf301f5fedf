using System.Text;
using System.Text.Json;
using Grpo.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class SafeTensorsRoundTripTests
{
    // Exactly representable in bf16 and f16 (few mantissa bits), so every dtype must give them back unchanged.
    static readonly float[] ExactValues = [1f, -2.5f, 0.15625f, 1024f, -0.0078125f, 0f];

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float64)]
    public void FloatingDtypesRoundTripExactly(ScalarType dtype)
    {
        using var folder = new TempFolder();
        using var original = tensor(ExactValues, dtype: ScalarType.Float32).reshape(2, 3).to(dtype);
        var path = folder.File("x.safetensors");

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = original });
        var loaded = SafeTensors.Load(path);

        var w = Assert.Single(loaded).Value;
        Assert.Equal(dtype, w.dtype);
        Assert.Equal([2L, 3L], w.shape);
        Assert.Equal(ExactValues, w.to(ScalarType.Float32).data<float>().ToArray());
        w.Dispose();
    }

    [Fact]
    public void IntegerDtypesRoundTripExactly()
    {
        using var folder = new TempFolder();
        long[] longs = [long.MinValue, -1, 0, 1, long.MaxValue];
        int[] ints = [int.MinValue, -7, int.MaxValue];
        using var i64 = tensor(longs);
        using var i32 = tensor(ints);
        using var u8 = tensor(new byte[] { 0, 7, 255 });
        var path = folder.File("ints.safetensors");

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a.i64"] = i64, ["b.i32"] = i32, ["c.u8"] = u8 });
        var loaded = SafeTensors.Load(path);

        Assert.Equal(ScalarType.Int64, loaded["a.i64"].dtype);
        Assert.Equal(longs, loaded["a.i64"].data<long>().ToArray());
        Assert.Equal(ints, loaded["b.i32"].data<int>().ToArray());
        Assert.Equal(new byte[] { 0, 7, 255 }, loaded["c.u8"].data<byte>().ToArray());
        foreach (var t in loaded.Values)
            t.Dispose();
    }

    [Fact]
    public void ScalarAndEmptyTensorsRoundTrip()
    {
        using var folder = new TempFolder();
        using var scalar = tensor(3.5f);
        using var emptyTensor = zeros(0, 4);
        var path = folder.File("odd.safetensors");

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["scalar"] = scalar, ["empty"] = emptyTensor });
        var loaded = SafeTensors.Load(path);

        Assert.Empty(loaded["scalar"].shape);
        Assert.Equal(3.5f, loaded["scalar"].item<float>());
        Assert.Equal([0L, 4L], loaded["empty"].shape);
    }

    [Fact]
    public void MetadataRoundTrips()
    {
        using var folder = new TempFolder();
        using var t = ones(2);
        var path = folder.File("meta.safetensors");
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["run"] = "r-42 <ü>" };

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = t }, metadata);

        Assert.Equal(metadata, SafeTensors.ReadMetadata(path));
    }

    [Fact]
    public void FileWithoutMetadataHasEmptyMetadata()
    {
        using var folder = new TempFolder();
        using var t = ones(2);
        var path = folder.File("plain.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = t });

        Assert.Empty(SafeTensors.ReadMetadata(path));
    }

    [Fact]
    public void WrittenFileHasTheReferenceLayout()
    {
        using var folder = new TempFolder();
        using var b = tensor(new float[] { 1f, 2f });
        using var a = tensor(new long[] { 5 });
        using var c = tensor(ExactValues[..3]).to(ScalarType.BFloat16);
        var path = folder.File("layout.safetensors");

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["b"] = b, ["a"] = a, ["c"] = c }, new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = File.ReadAllBytes(path);

        var headerLength = BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0UL, headerLength % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        // Data goes widest dtype first (I64, F32, BF16), the header lists names in sorted order, padded with spaces.
        const string expected =
            "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}," +
            "\"c\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[16,22]}}";
        Assert.Equal(expected, header.TrimEnd(' '));
        Assert.Equal(expected.Length + (8 - expected.Length % 8) % 8, header.Length);

        var data = bytes.AsSpan(8 + (int)headerLength).ToArray();
        var expectedData = HandBuiltSafeTensors.Int64(5)
            .Concat(HandBuiltSafeTensors.Float32(1f, 2f))
            .Concat(HandBuiltSafeTensors.BFloat16(ExactValues[..3]))
            .ToArray();
        Assert.Equal(expectedData, data);
        using var _ = JsonDocument.Parse(header);
    }

    [Fact]
    public void LoadsAHandBuiltFile()
    {
        using var folder = new TempFolder();
        var path = folder.File("hand.safetensors");
        // Deliberately unpadded, with data in a different order from the header and every supported main dtype.
        const string header =
            "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}," +
            "\"half\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[40,44]}," +
            "\"brain\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[44,48]}," +
            "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[16,40]}," +
            "\"__metadata__\":{\"source\":\"hand\"}}";
        var data = HandBuiltSafeTensors.Int64(-3, 1L << 40)
            .Concat(HandBuiltSafeTensors.Float32(1f, 2f, 3f, 4f, 5f, -6.25f))
            .Concat(HandBuiltSafeTensors.Float16(0.5f, -2f))
            .Concat(HandBuiltSafeTensors.BFloat16(-2.5f, 1024f))
            .ToArray();
        File.WriteAllBytes(path, HandBuiltSafeTensors.Build(header, data));

        var loaded = SafeTensors.Load(path);

        Assert.Equal(["brain", "half", "ids", "w"], loaded.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([-3L, 1L << 40], loaded["ids"].data<long>().ToArray());
        Assert.Equal([2L, 3L], loaded["w"].shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, -6.25f], loaded["w"].data<float>().ToArray());
        Assert.Equal(ScalarType.Float16, loaded["half"].dtype);
        Assert.Equal([0.5f, -2f], loaded["half"].to(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(ScalarType.BFloat16, loaded["brain"].dtype);
        Assert.Equal([-2.5f, 1024f], loaded["brain"].to(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal("hand", SafeTensors.ReadMetadata(path)["source"]);
    }

    [Fact]
    public void SaveReplacesAnExistingFileAndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        var path = folder.File("x.safetensors");
        using var first = ones(3);
        using var second = full(2, 7f);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["first"] = first });

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["second"] = second });

        var loaded = SafeTensors.Load(path);
        Assert.Equal([7f, 7f], Assert.Single(loaded).Value.data<float>().ToArray());
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void SavesNonContiguousTensorsByValue()
    {
        using var folder = new TempFolder();
        var path = folder.File("t.safetensors");
        using var matrix = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var transposed = matrix.t();

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = transposed });

        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], SafeTensors.Load(path)["t"].data<float>().ToArray());
    }
}
