namespace Grpo.Integration.Tests;

/// <summary>
/// grpo-silo refuses a torch device it cannot use when it starts, before it joins any cluster. This build ships the
/// CPU libtorch only, so every GPU device is refused with the rebuild hint.
/// </summary>
public sealed class SiloDeviceTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(45);

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    public async Task A_gpu_device_on_the_cpu_build_exits_3_with_one_line_saying_how_to_build_for_cuda(string device)
    {
        await using var silo = SiloProcess.Start(["--device", device]);

        Assert.Equal(3, await silo.WaitForExitAsync(ExitTimeout));
        Assert.Equal(
            $"grpo-silo: device '{device}' was requested but this build has no CUDA libtorch (build with -p:GrpoDevice=cuda).",
            silo.Output.TrimEnd());
    }

    [Fact]
    public async Task A_gpu_device_from_the_environment_is_refused_the_same_way()
    {
        await using var silo = SiloProcess.Start([], new Dictionary<string, string> { ["GRPO_DEVICE"] = "cuda:1" });

        Assert.Equal(3, await silo.WaitForExitAsync(ExitTimeout));
        Assert.StartsWith("grpo-silo: device 'cuda:1' was requested but this build has no CUDA libtorch", silo.Output);
    }
}
