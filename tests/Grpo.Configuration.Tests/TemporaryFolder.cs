namespace Grpo.Configuration.Tests;

/// <summary>A unique folder under the temp directory, deleted with everything in it when the test ends.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "grpo-runconfig-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string fileName, string contents)
    {
        var file = System.IO.Path.Combine(Path, fileName);
        File.WriteAllText(file, contents);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
