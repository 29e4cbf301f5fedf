namespace Grpo.Integration.Tests;

/// <summary>
/// Where grpo-silo takes its settings from, observed through the real executable: a bad value names the option, so
/// which of two sources won shows in which value is complained about. These exit before any silo starts.
/// </summary>
public sealed class SiloSettingsTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task An_environment_variable_is_read()
    {
        await using var silo = SiloProcess.Start([], new Dictionary<string, string> { ["GRPO_DEVICE"] = "tpu" });

        Assert.Equal(2, await silo.WaitForExitAsync(ExitTimeout));
        Assert.Equal("grpo-silo: --device (GRPO_DEVICE, \"Device\") is 'tpu'; expected cpu, cuda or cuda:N.", silo.Output.TrimEnd());
    }

    [Fact]
    public async Task The_command_line_wins_over_the_environment()
    {
        // --device fixes the bad GRPO_DEVICE, so the complaint is about the roles, which only the environment sets.
        await using var silo = SiloProcess.Start(["--device", "cuda:1"],
            new Dictionary<string, string> { ["GRPO_DEVICE"] = "tpu", ["GRPO_ROLES"] = "critic" });

        Assert.Equal(2, await silo.WaitForExitAsync(ExitTimeout));
        Assert.Contains("--roles (GRPO_ROLES, \"Roles\") has the unknown role 'critic'", silo.Output);
    }

    [Theory]
    [InlineData(new[] { "--silo-port", "70000" }, "--silo-port (GRPO_SILO_PORT, \"SiloPort\") is '70000'; expected a port number in 1..65535.")]
    [InlineData(new[] { "--advertised-ip", "ten.0.0.1" }, "--advertised-ip (GRPO_ADVERTISED_IP, \"AdvertisedIp\") is 'ten.0.0.1'; expected an IP address such as 10.0.0.5.")]
    [InlineData(new[] { "--cluster", "Host=db;Username=grpo" }, "--cluster (GRPO_CLUSTER, \"Cluster\"): The cluster connection string has no Database;")]
    [InlineData(new[] { "--device" }, "option '--device' needs a value.")]
    [InlineData(new[] { "--gpus", "2" }, "unknown option '--gpus'; known options: --cluster, --roles, --device,")]
    [InlineData(new[] { "train" }, "unexpected argument 'train'; options are written --name value (see --help).")]
    public async Task A_bad_argument_exits_2_with_one_line_naming_it(string[] arguments, string message)
    {
        await using var silo = SiloProcess.Start(arguments);

        Assert.Equal(2, await silo.WaitForExitAsync(ExitTimeout));
        var output = silo.Output.TrimEnd();
        Assert.DoesNotContain('\n', output);
        Assert.StartsWith("grpo-silo: " + message, output);
    }
}
