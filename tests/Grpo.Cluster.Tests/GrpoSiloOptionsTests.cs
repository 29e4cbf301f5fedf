using Grpo.Hosting;

namespace Grpo.Cluster.Tests;

public sealed class GrpoSiloOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_hold_both_roles_on_cpu()
    {
        var options = new GrpoSiloOptions();
        options.Validate();
        Assert.True(options.Rollout);
        Assert.True(options.Learner);
        Assert.Equal("cpu", options.Device);
        Assert.Equal(11111, options.SiloPort);
        Assert.Equal(30000, options.GatewayPort);
        Assert.Equal("grpo", options.ClusterId);
        Assert.Equal("grpo", options.ServiceId);
        Assert.Equal("checkpoints", options.CheckpointDirectory);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    [InlineData("cuda:13")]
    public void Accepts_cpu_and_cuda_devices(string device) => new GrpoSiloOptions { Device = device }.Validate();

    [Theory]
    [InlineData("")]
    [InlineData("gpu")]
    [InlineData("CPU")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda:1.5")]
    [InlineData("cuda: 1")]
    [InlineData("cuda:99999999999")]
    public void Rejects_other_devices_naming_the_field(string device) =>
        AssertInvalid(new GrpoSiloOptions { Device = device }, nameof(GrpoSiloOptions.Device), device);

    [Fact]
    public void Rejects_a_silo_without_a_role()
    {
        var error = AssertInvalid(new GrpoSiloOptions { Rollout = false, Learner = false }, nameof(GrpoSiloOptions.Rollout), "at least one role");
        Assert.Contains(nameof(GrpoSiloOptions.Learner), error.Message);
    }

    [Theory]
    [InlineData(0, 30000, nameof(GrpoSiloOptions.SiloPort))]
    [InlineData(-1, 30000, nameof(GrpoSiloOptions.SiloPort))]
    [InlineData(65536, 30000, nameof(GrpoSiloOptions.SiloPort))]
    [InlineData(11111, 0, nameof(GrpoSiloOptions.GatewayPort))]
    [InlineData(11111, 70000, nameof(GrpoSiloOptions.GatewayPort))]
    [InlineData(20000, 20000, nameof(GrpoSiloOptions.GatewayPort))]
    public void Rejects_bad_ports_naming_the_field(int siloPort, int gatewayPort, string field) =>
        AssertInvalid(new GrpoSiloOptions { SiloPort = siloPort, GatewayPort = gatewayPort }, field, field);

    [Fact]
    public void Accepts_the_port_range_bounds() => new GrpoSiloOptions { SiloPort = 1, GatewayPort = 65535 }.Validate();

    [Fact]
    public void Rejects_empty_identity_and_checkpoint_directory()
    {
        AssertInvalid(new GrpoSiloOptions { ClusterId = " " }, nameof(GrpoSiloOptions.ClusterId), "ClusterId");
        AssertInvalid(new GrpoSiloOptions { ServiceId = "" }, nameof(GrpoSiloOptions.ServiceId), "ServiceId");
        AssertInvalid(new GrpoSiloOptions { CheckpointDirectory = "" }, nameof(GrpoSiloOptions.CheckpointDirectory), "CheckpointDirectory");
    }

    private static ArgumentException AssertInvalid(GrpoSiloOptions options, string paramName, string messagePart)
    {
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(paramName, error.ParamName);
        Assert.Contains(messagePart, error.Message);
        return error;
    }
}
