using System.Diagnostics;

namespace Grpo.Integration.Tests;

/// <summary>A certificate authority with a silo certificate and client certificates, made by deploy/tls/make-test-certs.sh.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ScratchFolder folder;

    private TestCertificates(ScratchFolder folder) => this.folder = folder;

    public string Folder => folder.Path;
    public string Authority => Path.Combine(Folder, "ca.pem");

    /// <summary>The silo options that turn mutual TLS on with this authority's silo certificate.</summary>
    public string[] SiloArguments => ["--tls-cert", Path.Combine(Folder, "silo.pem"), "--tls-key", Path.Combine(Folder, "silo.key"), "--tls-ca", Authority];

    /// <summary>The client options for the certificate issued to <paramref name="client"/>.</summary>
    public string[] ClientArguments(string client = "client") =>
        ["--tls-cert", Path.Combine(Folder, client + ".pem"), "--tls-key", Path.Combine(Folder, client + ".key"), "--tls-ca", Authority];

    public static async Task<TestCertificates> MakeAsync(string authorityName, params string[] clients)
    {
        var folder = new ScratchFolder();
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryLayout.Root,
        };
        foreach (var argument in new[] { Path.Combine(RepositoryLayout.Root, "deploy", "tls", "make-test-certs.sh"), "--out", folder.Path, "--ca-name", authorityName, "--clients", string.Join(',', clients.DefaultIfEmpty("client")) })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start for make-test-certs.sh.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            folder.Dispose();
            throw new InvalidOperationException($"make-test-certs.sh exited with {process.ExitCode}:\n{await stderr}\n{stdout}");
        }

        return new TestCertificates(folder);
    }

    public void Dispose() => folder.Dispose();
}
