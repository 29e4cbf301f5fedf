using System.IO.Compression;
using Grpo.Core.Tokenization;

namespace Grpo.Core.Tests.Tokenization;

/// <summary>Decompresses the Qwen3 fixture into a temp folder once and loads it once for all tests that need it.</summary>
public sealed class Qwen3TokenizerFixture : IDisposable
{
    public static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "qwen3-tokenizer");

    public Qwen3TokenizerFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "grpo-qwen3-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        using (var compressed = File.OpenRead(Path.Combine(FixtureDirectory, "tokenizer.json.gz")))
        using (var gzip = new GZipStream(compressed, CompressionMode.Decompress))
        using (var output = File.Create(Path.Combine(Directory, HfTokenizer.TokenizerFileName)))
        {
            gzip.CopyTo(output);
        }
        File.Copy(Path.Combine(FixtureDirectory, HfTokenizer.ConfigFileName), Path.Combine(Directory, HfTokenizer.ConfigFileName));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Tokenizer = HfTokenizer.LoadByteLevelBpe(Directory);
        LoadTime = watch.Elapsed;
    }

    public string Directory { get; }

    public ByteLevelBpeTokenizer Tokenizer { get; }

    public TimeSpan LoadTime { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

[CollectionDefinition(Name)]
public sealed class Qwen3TokenizerCollection : ICollectionFixture<Qwen3TokenizerFixture>
{
    public const string Name = "Qwen3 tokenizer";
}
