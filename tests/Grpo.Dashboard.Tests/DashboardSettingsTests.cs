using System.Net;
using Grpo.Client.Dashboard;

namespace Grpo.Dashboard.Tests;

public sealed class DashboardSettingsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("grpo-dashboard-settings-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Defaults_to_loopback_without_token_or_control()
    {
        var settings = DashboardSettings.Resolve(null, DashboardSettings.DefaultPort, null, allowControl: false);
        Assert.Equal(IPAddress.Loopback, settings.Bind);
        Assert.Null(settings.Token);
        Assert.False(settings.AllowControl);
    }

    [Fact]
    public void Reachable_address_without_token_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => DashboardSettings.Resolve("0.0.0.0", 5180, null, allowControl: false));
        Assert.Equal("--bind is 0.0.0.0, which other machines reach; the dashboard then needs --token-file.", error.Message);
    }

    [Fact]
    public void Reachable_address_with_token_is_accepted()
    {
        var file = Path.Combine(folder, "token");
        File.WriteAllText(file, "0123456789abcdef0123\n");
        var settings = DashboardSettings.Resolve("0.0.0.0", 5180, file, allowControl: true);
        Assert.Equal("0123456789abcdef0123", settings.Token);
        Assert.True(settings.AllowControl);
    }

    [Fact]
    public void Bad_address_is_named()
    {
        var error = Assert.Throws<ArgumentException>(() => DashboardSettings.Resolve("localhost:80", 5180, null, allowControl: false));
        Assert.Equal("--bind is 'localhost:80'; expected an IP address such as 127.0.0.1 or 0.0.0.0.", error.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Port_out_of_range_is_named(int port)
    {
        var error = Assert.Throws<ArgumentException>(() => DashboardSettings.Resolve(null, port, null, allowControl: false, optionPrefix: "--dashboard-"));
        Assert.Equal($"--dashboard-port is {port}; expected 1-65535, or 0 for a free port.", error.Message);
    }

    [Fact]
    public void Short_token_is_refused_with_its_file()
    {
        var file = Path.Combine(folder, "token");
        File.WriteAllText(file, "short");
        var error = Assert.Throws<ArgumentException>(() => DashboardSettings.Resolve(null, 5180, file, allowControl: false));
        Assert.StartsWith($"--token-file: {file} must hold one token of at least 16 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_token_file_is_named()
    {
        var file = Path.Combine(folder, "absent");
        var error = Assert.Throws<ArgumentException>(() => DashboardSettings.Resolve(null, 5180, file, allowControl: false));
        Assert.StartsWith($"--token-file: cannot read {file}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backoff_doubles_up_to_the_longest_wait()
    {
        var timing = new DashboardTiming(TimeSpan.FromSeconds(1), new Grpo.Client.Cluster.ReconnectPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 6));
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(failures => timing.Backoff(failures).TotalSeconds));
    }
}
