using Grpo.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

public sealed class SafeTensorsCorruptionTests
{
    const string TwoTensorHeader =
        "{\"alpha\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
        "\"beta\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";

    static InvalidDataException LoadFails(TempFolder folder, byte[] bytes)
    {
        var path = folder.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, error.Message);
        return error;
    }

    static byte[] Data(int bytes) => HandBuiltSafeTensors.Float32(Enumerable.Range(0, bytes / 4).Select(i => (float)i).ToArray());

    [Fact]
    public void ValidHandBuiltFileLoads()
    {
        using var folder = new TempFolder();
        var path = folder.File("ok.safetensors");
        File.WriteAllBytes(path, HandBuiltSafeTensors.Build(TwoTensorHeader, Data(12)));
        Assert.Equal([2f], SafeTensors.Load(path)["beta"].data<float>().ToArray());
    }

    [Fact]
    public void TruncatedDataNamesTheTensorThatRunsPastTheEnd()
    {
        using var folder = new TempFolder();
        var bytes = HandBuiltSafeTensors.Build(TwoTensorHeader, Data(12));
        var error = LoadFails(folder, bytes[..^2]);
        Assert.Contains("'beta'", error.Message);
        Assert.Contains("out of range", error.Message);
    }

    [Fact]
    public void FileShorterThanTheLengthFieldIsReported()
    {
        using var folder = new TempFolder();
        var error = LoadFails(folder, [1, 2, 3]);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsReported()
    {
        using var folder = new TempFolder();
        var bytes = HandBuiltSafeTensors.Build(TwoTensorHeader, Data(12));
        BitConverter.GetBytes((ulong)bytes.Length).CopyTo(bytes, 0);
        var error = LoadFails(folder, bytes);
        Assert.Contains($"{bytes.Length}-byte header", error.Message);
    }

    [Fact]
    public void BadJsonIsReported()
    {
        using var folder = new TempFolder();
        var error = LoadFails(folder, HandBuiltSafeTensors.Build("{\"alpha\":{\"dtype\":", Data(0)));
        Assert.Contains("not valid JSON", error.Message);
    }

    [Fact]
    public void UnknownDtypeNamesTheTensor()
    {
        using var folder = new TempFolder();
        var header = TwoTensorHeader.Replace("\"beta\":{\"dtype\":\"F32\"", "\"beta\":{\"dtype\":\"F8_E4M3\"");
        var error = LoadFails(folder, HandBuiltSafeTensors.Build(header, Data(12)));
        Assert.Contains("'beta'", error.Message);
        Assert.Contains("F8_E4M3", error.Message);
    }

    [Fact]
    public void OffsetsOutOfRangeNameTheTensor()
    {
        using var folder = new TempFolder();
        var header = TwoTensorHeader.Replace("[8,12]", "[8,400]").Replace("\"shape\":[1]", "\"shape\":[98]");
        var error = LoadFails(folder, HandBuiltSafeTensors.Build(header, Data(12)));
        Assert.Contains("'beta'", error.Message);
        Assert.Contains("out of range", error.Message);
    }

    [Fact]
    public void OverlappingOffsetsNameTheTensor()
    {
        using var folder = new TempFolder();
        var header = TwoTensorHeader.Replace("[8,12]", "[4,8]");
        var error = LoadFails(folder, HandBuiltSafeTensors.Build(header, Data(8)));
        Assert.Contains("'beta'", error.Message);
        Assert.Contains("overlap", error.Message);
    }

    [Fact]
    public void SizeNotMatchingShapeNamesTheTensor()
    {
        using var folder = new TempFolder();
        var header = TwoTensorHeader.Replace("\"shape\":[1]", "\"shape\":[2]");
        var error = LoadFails(folder, HandBuiltSafeTensors.Build(header, Data(12)));
        Assert.Contains("'beta'", error.Message);
        Assert.Contains("needs 8", error.Message);
    }

    [Fact]
    public void GapBetweenTensorsNamesTheTensor()
    {
        using var folder = new TempFolder();
        var header = TwoTensorHeader.Replace("[8,12]", "[12,16]");
        var error = LoadFails(folder, HandBuiltSafeTensors.Build(header, Data(16)));
        Assert.Contains("'beta'", error.Message);
        Assert.Contains("gap", error.Message);
    }

    [Fact]
    public void TrailingBytesAfterTheLastTensorAreReported()
    {
        using var folder = new TempFolder();
        var error = LoadFails(folder, HandBuiltSafeTensors.Build(TwoTensorHeader, Data(16)));
        Assert.Contains("cover 12 bytes", error.Message);
    }

    [Fact]
    public void MissingFieldNamesTheTensorAndField()
    {
        using var folder = new TempFolder();
        var header = TwoTensorHeader.Replace("\"shape\":[1],", "");
        var error = LoadFails(folder, HandBuiltSafeTensors.Build(header, Data(12)));
        Assert.Contains("'beta'", error.Message);
        Assert.Contains("'shape'", error.Message);
    }

    [Fact]
    public void NonStringMetadataIsReported()
    {
        using var folder = new TempFolder();
        var header = TwoTensorHeader.Replace("{\"alpha\"", "{\"__metadata__\":{\"n\":3},\"alpha\"");
        var error = LoadFails(folder, HandBuiltSafeTensors.Build(header, Data(12)));
        Assert.Contains("'n'", error.Message);
    }

    [Fact]
    public void SavingAnUnsupportedDtypeNamesTheTensor()
    {
        using var folder = new TempFolder();
        using var complex = zeros(2, dtype: ScalarType.ComplexFloat32);
        var error = Assert.Throws<ArgumentException>(() => SafeTensors.Save(folder.File("c.safetensors"), new Dictionary<string, Tensor> { ["z"] = complex }));
        Assert.Contains("'z'", error.Message);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }
}
