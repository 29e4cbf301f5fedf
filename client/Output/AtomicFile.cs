namespace Grpo.Client.Output;

/// <summary>Replaces a file in one rename, so a crash while writing leaves the previous version, never half a file.</summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<string> writeTemporary)
    {
        // The temporary keeps the extension because some writers pick the format from it.
        var temporary = Path.ChangeExtension(path, ".tmp" + Path.GetExtension(path));
        writeTemporary(temporary);
        File.Move(temporary, path, overwrite: true);
    }
}
