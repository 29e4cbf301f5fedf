namespace Grpo.Core.Checkpoints;

/// <summary>
/// Checkpoints hold the trained weights and the run's configuration fingerprint: on Unix they are readable by the
/// silo's own user alone (folders 0700, files 0600) whatever the umask. On Windows, ACLs inherited from the parent
/// folder apply and nothing is changed.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder and its missing parents as 0700; an existing folder keeps its mode, since its owner chose it.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        // Directory.CreateDirectory(path, mode) gives the mode to the last folder only; missing parents would get the umask's.
        var missing = new Stack<string>();
        for (var folder = Path.GetFullPath(path); !Directory.Exists(folder); folder = Path.GetDirectoryName(folder)!)
            missing.Push(folder);
        while (missing.TryPop(out var folder))
            Directory.CreateDirectory(folder, FolderMode);
    }

    /// <summary>Makes <paramref name="path"/> (a file, or a folder and everything in it) private to the silo's user.</summary>
    public static void Restrict(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        if (File.Exists(path))
        {
            File.SetUnixFileMode(path, FileMode);
            return;
        }
        File.SetUnixFileMode(path, FolderMode);
        foreach (var folder in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(folder, FolderMode);
        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(file, FileMode);
    }
}
