using System.Diagnostics;
using System.Runtime.Versioning;
using Grpo.Hosting.Tls;

namespace Grpo.Integration.Tests;

/// <summary>deploy/tls/make-test-certs.sh: what it makes is what grpo-silo and grpo accept, keys stay private, and bad arguments are refused.</summary>
// The script runs under bash and sets Unix file modes.
[UnsupportedOSPlatform("windows")]
public sealed class MakeTestCertsScriptTests
{
    private static readonly string ScriptPath = Path.Combine(RepositoryLayout.Root, "deploy", "tls", "make-test-certs.sh");

    [Fact]
    public async Task It_makes_a_silo_and_client_certificates_of_one_authority_with_private_keys_and_reuses_the_authority_when_run_again()
    {
        using var folder = new ScratchFolder();
        var output = Path.Combine(folder.Path, "certs");

        var first = await RunAsync("--out", output, "--clients", "alice,bob");
        var authority = await File.ReadAllTextAsync(Path.Combine(output, "ca.pem"));
        var second = await RunAsync("--out", output, "--clients", "carol");

        Assert.True(first.ExitCode == 0, first.Describe("make-test-certs.sh"));
        Assert.True(second.ExitCode == 0, second.Describe("make-test-certs.sh (again)"));
        Assert.Contains("reusing the CA", second.StandardError);
        Assert.Equal(authority, await File.ReadAllTextAsync(Path.Combine(output, "ca.pem")));
        using (var silo = ClusterTlsCredentials.Load(Files(output, "silo"), ClusterTlsRole.Silo))
        {
            Assert.Equal("CN=silo", silo.Certificate.Subject);
        }

        foreach (var client in new[] { "alice", "bob", "carol" })
        {
            using var credentials = ClusterTlsCredentials.Load(Files(output, client), ClusterTlsRole.Client);
            Assert.Equal($"CN={client}", credentials.Certificate.Subject);
            // Client authentication only: a client certificate cannot stand in for a silo.
            Assert.Throws<ClusterTlsException>(() => ClusterTlsCredentials.Load(Files(output, client), ClusterTlsRole.Silo));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(output));
        Assert.All(Directory.GetFiles(output, "*.key"), key => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key)));
        Assert.Equal(["alice.key", "bob.key", "ca.key", "carol.key", "silo.key"], Directory.GetFiles(output, "*.key").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "--clients", "alice" }, "--out DIR is required")]
    [InlineData(new[] { "--out", "x", "--clients", "silo" }, "client name 'silo' is taken by the silo files")]
    [InlineData(new[] { "--out", "x", "--clients", "../evil" }, "client name '../evil' may only use letters, digits")]
    [InlineData(new[] { "--out", "x", "--days", "0" }, "--days '0' is not a positive number")]
    [InlineData(new[] { "--out" }, "--out needs a value")]
    [InlineData(new[] { "--colour", "blue" }, "unknown argument '--colour'")]
    public async Task Bad_arguments_exit_with_2_and_make_nothing(string[] arguments, string complaint)
    {
        using var folder = new ScratchFolder();

        var result = await RunAsync(folder.Path, arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(complaint, result.StandardError);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    private static ClusterTlsFiles Files(string folder, string name) =>
        new(Path.Combine(folder, name + ".pem"), Path.Combine(folder, name + ".key"), Path.Combine(folder, "ca.pem"));

    private static Task<ScriptResult> RunAsync(params string[] arguments) => RunAsync(Path.GetTempPath(), arguments);

    private static async Task<ScriptResult> RunAsync(string workingDirectory, string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(ScriptPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start for make-test-certs.sh.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return new ScriptResult(process.ExitCode, await stdout, await stderr);
    }
}
