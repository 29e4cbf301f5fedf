namespace Grpo.Benchmarks;

/// <summary>A unique temporary folder (learner checkpoints of the benchmark silos), deleted on dispose.</summary>
internal sealed class BenchFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("grpo-bench-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
