using System.Runtime.InteropServices;
using TorchSharp;

namespace Grpo.Core.Runtime;

/// <summary>
/// Loads libtorch once and turns TorchSharp's long, misleading load failure into one sentence that says
/// why and what to do. Programs call <see cref="EnsureAvailable"/> before any torch work.
/// </summary>
public static class TorchRuntime
{
    static readonly Lazy<Exception?> LoadFailure = new(TryLoad);

    public static void EnsureAvailable()
    {
        if (LoadFailure.Value is { } failure)
            throw new TorchUnavailableException(Describe(failure), failure);
    }

    static Exception? TryLoad()
    {
        try
        {
            using var probe = torch.zeros(1);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            return e;
        }
    }

    static string Describe(Exception failure)
    {
        var text = failure.ToString();
        if (text.Contains("GLIBCXX", StringComparison.Ordinal) || RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && !SystemLibstdcxxHasRequiredVersion())
            return "libtorch could not be loaded because this system's libstdc++ lacks GLIBCXX_3.4.32 and the build did not mark " +
                   "that requirement weak in libLibTorchSharp.so; rebuild with 'dotnet build' (not a copied binary) or install a newer libstdc++6.";
        return "libtorch could not be loaded (" + FirstLine(failure) + "); check that the libtorch native package for this " +
               "platform (libtorch-cpu-linux-x64, or TorchSharp-cuda-linux with -p:GrpoDevice=cuda) is in the output folder.";
    }

    static bool SystemLibstdcxxHasRequiredVersion()
    {
        foreach (var path in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" })
            if (File.Exists(path))
                return File.ReadAllText(path, System.Text.Encoding.Latin1).Contains("GLIBCXX_3.4.32\0", StringComparison.Ordinal);
        return true;
    }

    static string FirstLine(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        var message = inner.Message;
        var newline = message.IndexOf('\n');
        return (newline < 0 ? message : message[..newline]).Trim();
    }
}

public sealed class TorchUnavailableException(string message, Exception inner) : Exception(message, inner);
