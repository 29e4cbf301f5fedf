using Grpo.Core.Runtime;
using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Grpo.Cluster.Tests.Device;

/// <summary>The silo's device as UseGrpo configures it: checked while the silo is built, then handed to its engines.</summary>
public sealed class SiloDeviceTests
{
    [Fact]
    public void A_cpu_silo_hands_the_cpu_to_its_engines()
    {
        using var host = GrpoHost.CreateEmbedded(new GrpoSiloOptions { Device = "cpu" });

        Assert.Equal(ComputeDevice.Cpu, host.Services.GetRequiredService<ComputeDevice>());
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    public void A_gpu_silo_on_the_cpu_build_is_refused_while_it_is_built(string device)
    {
        var error = Assert.Throws<ComputeDeviceUnavailableException>(() => GrpoHost.CreateEmbedded(new GrpoSiloOptions { Device = device }));
        Assert.Equal($"device '{device}' was requested but this build has no CUDA libtorch (build with -p:GrpoDevice=cuda).", error.Message);
    }
}
