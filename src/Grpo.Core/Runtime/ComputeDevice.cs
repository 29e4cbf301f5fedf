using System.Globalization;
using TorchSharp;

namespace Grpo.Core.Runtime;

/// <summary>
/// The torch device a process computes on, written as users write it: "cpu", "cuda" (the current GPU) or "cuda:N".
/// Parsing needs no libtorch; <see cref="EnsureAvailable()"/> checks that this build and machine can use the device,
/// so a program refuses a device it cannot use when it starts, not later inside an engine.
/// </summary>
public sealed record ComputeDevice
{
    const string CudaPrefix = "cuda:";

    ComputeDevice(bool isCuda, int? cudaIndex)
    {
        IsCuda = isCuda;
        CudaIndex = cudaIndex;
    }

    public static ComputeDevice Cpu { get; } = new(false, null);

    public bool IsCuda { get; }

    /// <summary>N of "cuda:N"; null for "cpu" and for "cuda" (whichever GPU is current, the first one unless changed).</summary>
    public int? CudaIndex { get; }

    public string Name => !IsCuda ? "cpu" : CudaIndex is { } index ? CudaPrefix + index.ToString(CultureInfo.InvariantCulture) : "cuda";

    public override string ToString() => Name;

    public static bool TryParse(string? text, out ComputeDevice device)
    {
        device = Cpu;
        switch (text)
        {
            case "cpu":
                return true;
            case "cuda":
                device = new ComputeDevice(true, null);
                return true;
        }

        if (text is null || !text.StartsWith(CudaPrefix, StringComparison.Ordinal) || text.Length == CudaPrefix.Length) return false;
        var digits = text.AsSpan(CudaPrefix.Length);
        // ASCII digits only: no sign, no spaces, no separators.
        if (digits.IndexOfAnyExceptInRange('0', '9') >= 0 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return false;
        device = new ComputeDevice(true, index);
        return true;
    }

    /// <exception cref="FormatException">The text is not "cpu", "cuda" or "cuda:N".</exception>
    public static ComputeDevice Parse(string? text) =>
        TryParse(text, out var device)
            ? device
            : throw new FormatException($"device '{text}' is not one of cpu, cuda or cuda:N (N a GPU index such as 0).");

    /// <summary>The TorchSharp device that tensors and modules are created on or moved to.</summary>
    public torch.Device ToTorch() => IsCuda ? new torch.Device(DeviceType.CUDA, CudaIndex ?? -1) : torch.CPU;

    /// <summary>Checks the device against what this build and machine offer (see <see cref="CudaSupport.Probe"/>).</summary>
    /// <exception cref="ComputeDeviceUnavailableException">One sentence saying why the device cannot be used.</exception>
    public void EnsureAvailable() => EnsureAvailable(CudaSupport.Probe);

    /// <param name="probeCuda">Asked only for a CUDA device, so "cpu" never needs libtorch's CUDA side.</param>
    public void EnsureAvailable(Func<CudaSupport> probeCuda)
    {
        ArgumentNullException.ThrowIfNull(probeCuda);
        if (!IsCuda) return;
        var support = probeCuda();
        if (!support.LibraryPresent)
            throw new ComputeDeviceUnavailableException(
                $"device '{Name}' was requested but this build has no CUDA libtorch (build with -p:GrpoDevice=cuda).");
        if (support.DeviceCount == 0)
            throw new ComputeDeviceUnavailableException(
                $"device '{Name}' was requested but no GPU is visible (torch.cuda.is_available() is false; check the NVIDIA driver and CUDA_VISIBLE_DEVICES).");
        if (CudaIndex is { } index && index >= support.DeviceCount)
            throw new ComputeDeviceUnavailableException(
                $"device '{Name}' was requested but only {support.DeviceCount} GPU{(support.DeviceCount == 1 ? " is" : "s are")} visible " +
                $"(cuda:0{(support.DeviceCount == 1 ? "" : $" to cuda:{support.DeviceCount - 1}")}).");
    }
}
