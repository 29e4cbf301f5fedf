using System.Runtime.InteropServices;
using TorchSharp;

namespace Grpo.Core.Runtime;

/// <summary>What this process can do with CUDA: whether the build ships libtorch's CUDA library, and how many GPUs it sees.</summary>
public sealed record CudaSupport(bool LibraryPresent, int DeviceCount)
{
    /// <summary>
    /// Asks the running build and machine. The library is looked for first because a CPU-only libtorch answers
    /// "no GPU" even on a machine full of them, which would send the operator after the wrong cause.
    /// </summary>
    public static CudaSupport Probe()
    {
        TorchRuntime.EnsureAvailable();
        // The same lookup TorchSharp makes for its CUDA backend: beside the application, then the system's library path.
        if (!NativeLibrary.TryLoad("torch_cuda", typeof(torch).Assembly, null, out _)) return new CudaSupport(false, 0);
        return new CudaSupport(true, torch.cuda.is_available() ? torch.cuda.device_count() : 0);
    }
}
