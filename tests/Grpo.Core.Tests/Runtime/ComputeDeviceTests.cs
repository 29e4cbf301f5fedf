using Grpo.Core.Runtime;
using TorchSharp;

namespace Grpo.Core.Tests.Runtime;

public sealed class ComputeDeviceTests
{
    [Theory]
    [InlineData("cpu", false, null)]
    [InlineData("cuda", true, null)]
    [InlineData("cuda:0", true, 0)]
    [InlineData("cuda:13", true, 13)]
    public void Parses_cpu_cuda_and_cuda_n(string text, bool isCuda, int? index)
    {
        var device = ComputeDevice.Parse(text);

        Assert.Equal(isCuda, device.IsCuda);
        Assert.Equal(index, device.CudaIndex);
        Assert.Equal(text, device.Name);
        Assert.Equal(text, device.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("gpu")]
    [InlineData("CPU")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda:1.5")]
    [InlineData("cuda: 1")]
    [InlineData("cuda:٣")]
    [InlineData("cuda:99999999999")]
    [InlineData("meta")]
    public void Refuses_anything_else_naming_the_text(string? text)
    {
        Assert.False(ComputeDevice.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => ComputeDevice.Parse(text));
        Assert.Equal($"device '{text}' is not one of cpu, cuda or cuda:N (N a GPU index such as 0).", error.Message);
    }

    [Fact]
    public void Gives_the_torch_device_of_the_same_type_and_index()
    {
        Assert.Equal(DeviceType.CPU, ComputeDevice.Cpu.ToTorch().type);
        var second = ComputeDevice.Parse("cuda:1").ToTorch();
        Assert.Equal(DeviceType.CUDA, second.type);
        Assert.Equal(1, second.index);
        Assert.Equal(DeviceType.CUDA, ComputeDevice.Parse("cuda").ToTorch().type);
    }

    [Fact]
    public void The_cpu_is_always_available_without_asking_about_cuda()
    {
        ComputeDevice.Cpu.EnsureAvailable(() => throw new InvalidOperationException("the CUDA probe must not run for the cpu"));
        ComputeDevice.Cpu.EnsureAvailable();
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    [InlineData("cuda:3")]
    public void A_gpu_is_refused_when_the_build_has_no_cuda_libtorch_even_if_gpus_are_counted(string text)
    {
        var error = Assert.Throws<ComputeDeviceUnavailableException>(() => ComputeDevice.Parse(text).EnsureAvailable(() => new CudaSupport(false, 8)));
        Assert.Equal($"device '{text}' was requested but this build has no CUDA libtorch (build with -p:GrpoDevice=cuda).", error.Message);
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    public void A_gpu_is_refused_when_cuda_libtorch_sees_no_gpu(string text)
    {
        var error = Assert.Throws<ComputeDeviceUnavailableException>(() => ComputeDevice.Parse(text).EnsureAvailable(() => new CudaSupport(true, 0)));
        Assert.Equal(
            $"device '{text}' was requested but no GPU is visible (torch.cuda.is_available() is false; check the NVIDIA driver and CUDA_VISIBLE_DEVICES).",
            error.Message);
    }

    [Theory]
    [InlineData("cuda:1", 1, "only 1 GPU is visible (cuda:0)")]
    [InlineData("cuda:2", 2, "only 2 GPUs are visible (cuda:0 to cuda:1)")]
    [InlineData("cuda:9", 4, "only 4 GPUs are visible (cuda:0 to cuda:3)")]
    public void A_gpu_index_beyond_the_visible_ones_is_refused_naming_those(string text, int count, string reason)
    {
        var error = Assert.Throws<ComputeDeviceUnavailableException>(() => ComputeDevice.Parse(text).EnsureAvailable(() => new CudaSupport(true, count)));
        Assert.Equal($"device '{text}' was requested but {reason}.", error.Message);
    }

    [Theory]
    [InlineData("cuda", 1)]
    [InlineData("cuda:0", 1)]
    [InlineData("cuda:3", 4)]
    public void A_visible_gpu_is_accepted(string text, int count) =>
        ComputeDevice.Parse(text).EnsureAvailable(() => new CudaSupport(true, count));

    [Fact]
    public void The_probe_finds_cuda_libtorch_exactly_when_the_build_ships_it()
    {
        // The default build ships libtorch-cpu only; with -p:GrpoDevice=cuda the CUDA library sits beside the tests.
        var cudaBuild = File.Exists(Path.Combine(AppContext.BaseDirectory, "libtorch_cuda.so"));

        var support = CudaSupport.Probe();

        Assert.Equal(cudaBuild, support.LibraryPresent);
        if (cudaBuild) return;
        Assert.Equal(0, support.DeviceCount);
        var error = Assert.Throws<ComputeDeviceUnavailableException>(() => ComputeDevice.Parse("cuda:0").EnsureAvailable());
        Assert.Equal("device 'cuda:0' was requested but this build has no CUDA libtorch (build with -p:GrpoDevice=cuda).", error.Message);
    }
}
