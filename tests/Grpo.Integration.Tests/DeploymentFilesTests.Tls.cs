namespace Grpo.Integration.Tests;

public sealed partial class DeploymentFilesTests
{
    private static readonly string[] TlsVariables = ["GRPO_TLS_CERT", "GRPO_TLS_KEY", "GRPO_TLS_CA"];

    [Fact]
    public void Every_compose_silo_and_client_speaks_mutual_TLS_with_its_own_files_mounted_and_never_the_CA_key()
    {
        var services = ComposeServices().Where(service => ProgramOfImage(service.Node["image"].Text) is ProgramVariables.Silo or ProgramVariables.Client).ToList();
        Assert.Contains(services, service => ProgramOfImage(service.Node["image"].Text) == ProgramVariables.Silo);
        Assert.Contains(services, service => ProgramOfImage(service.Node["image"].Text) == ProgramVariables.Client);
        foreach (var (name, service) in services)
        {
            var own = ProgramOfImage(service["image"].Text) == ProgramVariables.Silo ? "silo" : "client";
            var mounts = service["volumes"].Items.Select(volume => volume.Text.Split(':')).Where(parts => parts.Length >= 2).ToList();
            var paths = TlsVariables.Select(variable => service["environment"].Optional(variable)?.Text).ToList();
            Assert.True(paths.All(path => path is not null), $"compose service {name} does not set {string.Join(", ", TlsVariables)}.");
            Assert.Equal([own + ".pem", own + ".key", "ca.pem"], paths.Select(path => Path.GetFileName(path!)));
            foreach (var path in paths)
            {
                Assert.True(mounts.Any(parts => parts[1] == path && parts[0] == "./tls/certs/" + Path.GetFileName(path)),
                    $"compose service {name} reads {path}, which it does not mount from ./tls/certs.");
            }

            Assert.DoesNotContain(mounts, parts => parts[0].EndsWith("ca.key", StringComparison.Ordinal) || parts[0].TrimEnd('/') == "./tls/certs");
        }
    }

    [Fact]
    public void Every_Kubernetes_silo_and_client_speaks_mutual_TLS_with_its_own_files_from_the_generated_secret()
    {
        var generator = YamlNode.LoadAll(KustomizationPath).Single()["secretGenerator"].Items.Single(item => item["name"].Text == "grpo-tls");
        var secretFiles = generator["files"].Items.Select(file => Path.GetFileName(file.Text)).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain("ca.key", secretFiles);
        var containers = KubernetesContainers().Where(item => ProgramOfImage(item.Container["image"].Text) is ProgramVariables.Silo or ProgramVariables.Client).ToList();
        Assert.Equal(3, containers.Count);
        foreach (var (workload, container, pod) in containers)
        {
            var own = ProgramOfImage(container["image"].Text) == ProgramVariables.Silo ? "silo" : "client";
            var paths = TlsVariables.Select(variable => Value(container, variable)).ToList();
            Assert.True(paths.All(path => path is not null), $"{workload.Path} does not set {string.Join(", ", TlsVariables)}.");
            Assert.Equal([own + ".pem", own + ".key", "ca.pem"], paths.Select(path => Path.GetFileName(path!)));
            foreach (var path in paths)
            {
                var folder = Path.GetDirectoryName(path)!;
                var mount = container["volumeMounts"].Items.Single(item => item["mountPath"].Text == folder);
                var volume = pod["volumes"].Items.Single(item => item["name"].Text == mount["name"].Text);
                Assert.Equal(generator["name"].Text, volume["secret"]["secretName"].Text);
                var item = volume["secret"]["items"].Items.Single(entry => entry["path"].Text == Path.GetFileName(path));
                Assert.Contains(item["key"].Text, secretFiles);
            }
        }
    }
}
