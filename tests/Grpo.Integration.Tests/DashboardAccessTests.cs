using System.Net;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;

namespace Grpo.Integration.Tests;

/// <summary>The Orleans dashboard of a real grpo-silo: on loopback unless asked, and behind a token when given one.</summary>
public sealed class DashboardAccessTests
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(90);
    private const string Token = "dashboard-token-0123456789abcdef";

    [Fact]
    public async Task With_a_token_file_a_request_without_the_token_gets_401_and_one_with_it_as_bearer_or_basic_password_gets_the_dashboard()
    {
        using var folder = new ScratchFolder();
        var tokenFile = folder.Write("dashboard-token", Token + "\n");
        var port = FreePort.Next();
        await using var silo = SiloProcess.Start(["--dashboard-port", port.ToString(), "--dashboard-token-file", tokenFile]);
        await silo.WaitForJoinAsync(JoinTimeout);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };

        using var anonymous = await http.GetAsync("");
        using var wrong = await SendAsync(http, new AuthenticationHeaderValue("Bearer", "dashboard-token-0123456789abcdeX"));
        using var bearer = await SendAsync(http, new AuthenticationHeaderValue("Bearer", Token));
        using var basic = await SendAsync(http, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:" + Token))));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        Assert.Contains("<html", await bearer.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task By_default_the_dashboard_answers_on_loopback_only_and_on_every_interface_when_bound_to_0_0_0_0()
    {
        var network = NetworkAddress();
        Assert.True(network is not null, "this test needs a non-loopback IPv4 address on the machine to show what listens there.");
        using var folder = new ScratchFolder();
        var tokenFile = folder.Write("dashboard-token", Token);
        var loopbackPort = FreePort.Next();
        var everywherePort = FreePort.Next();
        await using var loopbackOnly = SiloProcess.Start(["--dashboard-port", loopbackPort.ToString()]);
        await using var everywhere = SiloProcess.Start(["--dashboard-port", everywherePort.ToString(), "--dashboard-bind", "0.0.0.0", "--dashboard-token-file", tokenFile]);
        await loopbackOnly.WaitForJoinAsync(JoinTimeout);
        await everywhere.WaitForJoinAsync(JoinTimeout);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        using var onLoopback = await http.GetAsync($"http://127.0.0.1:{loopbackPort}/");
        using var onNetwork = await http.GetAsync($"http://{network}:{everywherePort}/");

        Assert.Equal(HttpStatusCode.OK, onLoopback.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, onNetwork.StatusCode);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://{network}:{loopbackPort}/"));
        Assert.Equal(SocketError.ConnectionRefused, (refused.InnerException as SocketException)?.SocketErrorCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, AuthenticationHeaderValue authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "");
        request.Headers.Authorization = authorization;
        return http.SendAsync(request);
    }

    private static IPAddress? NetworkAddress() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(adapter => adapter.OperationalStatus == OperationalStatus.Up && adapter.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(adapter => adapter.GetIPProperties().UnicastAddresses)
        .Select(unicast => unicast.Address)
        .FirstOrDefault(address => address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address));
}
