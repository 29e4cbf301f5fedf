using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Grpo.Hosting;

namespace Grpo.Integration.Tests;

/// <summary>
/// The container files, compose file and Kubernetes manifests under deploy/ checked against the code they start: no
/// engine builds or runs them here, so every name, path and port they rely on is verified against the repository.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Deploy = Path.Combine(RepositoryLayout.Root, "deploy");
    private static readonly string ComposePath = Path.Combine(Deploy, "compose.yaml");
    private static readonly string KustomizationPath = Path.Combine(Deploy, "kustomization.yaml");
    private static readonly string EntrypointPath = Path.Combine(Deploy, "docker", "silo-entrypoint.sh");
    private static readonly Dockerfile Cpu = Dockerfile.Load(Path.Combine(Deploy, "docker", "cpu.Dockerfile"));
    private static readonly Dockerfile Gpu = Dockerfile.Load(Path.Combine(Deploy, "docker", "gpu.Dockerfile"));

    [Fact]
    public void Every_GRPO_variable_the_deployment_files_set_is_one_the_program_in_that_container_reads()
    {
        var settings = VariablesSet().ToList();

        // The files do configure the silo and the client this way; an empty list would prove nothing.
        Assert.Contains(settings, setting => setting is { Program: ProgramVariables.Silo, Name: "GRPO_ROLES" });
        Assert.Contains(settings, setting => setting is { Program: ProgramVariables.Client, Name: "GRPO_CLUSTER" });
        Assert.Contains(settings, setting => setting is { Program: ProgramVariables.CreateSchema, Name: "GRPO_CLUSTER" });
        Assert.All(settings, setting => Assert.True(
            ProgramVariables.Of(setting.Program).Contains(setting.Name),
            $"{setting.Where} sets {setting.Name}, which {setting.Program} does not read (it reads {string.Join(", ", ProgramVariables.Of(setting.Program).Order())})."));
    }

    [Fact]
    public void Every_file_a_Dockerfile_copies_exists_and_every_project_it_publishes_is_copied_with_its_references_before_the_restore()
    {
        foreach (var dockerfile in new[] { Cpu, Gpu })
        {
            var copies = dockerfile.Instructions.Where(instruction => instruction.Keyword == "COPY" && !instruction.Arguments.Contains("--from=", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(copies);
            foreach (var copy in copies)
            {
                foreach (var source in copy.Words.Where(word => !word.StartsWith("--", StringComparison.Ordinal)).SkipLast(1))
                {
                    var path = Path.Combine(RepositoryLayout.Root, source);
                    Assert.True(File.Exists(path) || Directory.Exists(path), $"{copy}: {source} does not exist in the repository.");
                }
            }

            var restore = dockerfile.Instructions.First(instruction => instruction.Keyword == "RUN" && instruction.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
            var copiedBeforeRestore = copies.Where(copy => copy.Line < restore.Line).SelectMany(copy => copy.Words).ToHashSet(StringComparer.Ordinal);
            var published = ProjectPaths(dockerfile, "publish").ToList();
            Assert.NotEmpty(published);
            foreach (var project in published.SelectMany(ProjectClosure).Distinct())
            {
                Assert.True(copiedBeforeRestore.Contains(project), $"{dockerfile.Path}: {project} is built but not copied before {restore}.");
            }
        }
    }

    [Fact]
    public void Each_image_starts_the_executable_its_build_stage_publishes()
    {
        Assert.Equal("grpo-silo", AssemblyName("silo/Grpo.Silo.csproj"));
        Assert.Equal("grpo", AssemblyName("client/Grpo.Client.csproj"));

        // The silo stages start the entrypoint script, which starts /app/grpo-silo; /app holds what "publish silo -o /out/silo" wrote.
        Assert.Matches(@"(?m)^exec /app/grpo-silo ""\$@""$", File.ReadAllText(EntrypointPath));
        foreach (var dockerfile in new[] { Cpu, Gpu })
        {
            Assert.Equal("[\"/app/silo-entrypoint.sh\"]", Single(dockerfile, "silo", "ENTRYPOINT").Arguments);
            Assert.Contains(dockerfile.InStage("silo"), instruction => instruction.Arguments == "--chmod=755 deploy/docker/silo-entrypoint.sh /app/silo-entrypoint.sh");
            Assert.Contains(dockerfile.InStage("silo"), instruction => instruction.Arguments == "--from=build /out/silo /app");
            Assert.Contains(dockerfile.Commands("build"), run => run.Command.StartsWith("dotnet publish silo/Grpo.Silo.csproj ", StringComparison.Ordinal) && run.Command.EndsWith(" -o /out/silo", StringComparison.Ordinal));
            Assert.True(Single(dockerfile, "silo", "USER").Arguments is "$APP_UID", $"{dockerfile.Path}: the silo must run as the image's non-root app user.");
        }

        Assert.Equal("[\"/app/grpo\"]", Single(Cpu, "client", "ENTRYPOINT").Arguments);
        Assert.Contains(Cpu.InStage("client"), instruction => instruction.Arguments == "--from=build /out/client /app");
        Assert.Contains(Cpu.Commands("build"), run => run.Command.StartsWith("dotnet publish client/Grpo.Client.csproj ", StringComparison.Ordinal) && run.Command.EndsWith(" -o /out/client", StringComparison.Ordinal));
        Assert.Equal("$APP_UID", Single(Cpu, "client", "USER").Arguments);
    }

    [Fact]
    public void The_GPU_image_builds_with_the_CUDA_switch_and_runs_on_cuda_and_the_CPU_image_builds_without_it()
    {
        // The switch the images pass is the one Grpo.Core's package choice reacts to.
        var core = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "src", "Grpo.Core", "Grpo.Core.csproj"));
        Assert.Contains("Condition=\"'$(GrpoDevice)' == 'cuda'\"", core, StringComparison.Ordinal);
        Assert.Contains("TorchSharp-cuda-linux", core, StringComparison.Ordinal);

        foreach (var (dockerfile, device) in new[] { (Gpu, "cuda"), (Cpu, "cpu") })
        {
            var builds = dockerfile.Commands("build").Where(run => run.Command.StartsWith("dotnet restore", StringComparison.Ordinal) || run.Command.StartsWith("dotnet publish", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(builds);
            Assert.All(builds, run => Assert.True(run.Command.Contains($" -p:GrpoDevice={device}", StringComparison.Ordinal), $"{run.Instruction}: '{run.Command}' lacks -p:GrpoDevice={device}."));
            Assert.Equal(device, dockerfile.Environment("silo")["GRPO_DEVICE"]);
        }
    }

    [Fact]
    public void Silo_ports_agree_between_the_images_the_compose_file_and_the_Kubernetes_manifests()
    {
        foreach (var dockerfile in new[] { Cpu, Gpu })
        {
            var environment = dockerfile.Environment("silo");
            Assert.Equal(
                new[] { environment["GRPO_SILO_PORT"], environment["GRPO_GATEWAY_PORT"] }.Order(),
                Single(dockerfile, "silo", "EXPOSE").Words.Order());
        }

        var siloServices = ComposeServices().Where(service => ProgramOfImage(service.Node["image"].Text) == ProgramVariables.Silo).ToList();
        Assert.Equal(new[] { "learner", "rollout" }, siloServices.Select(service => service.Name).Order());
        foreach (var (name, service) in siloServices)
        {
            var environment = service["environment"].Entries.ToDictionary(entry => entry.Key, entry => entry.Value.Text);
            var exposed = service["expose"].Items.Select(port => port.Text).Order();
            Assert.Equal(new[] { environment["GRPO_SILO_PORT"], environment["GRPO_GATEWAY_PORT"] }.Order(), exposed);
        }

        var siloContainers = KubernetesContainers().Where(container => ProgramOfImage(container.Container["image"].Text) == ProgramVariables.Silo).ToList();
        Assert.Equal(2, siloContainers.Count);
        var headless = KubernetesObjects().Single(item => item["kind"].Text == "Service" && item["metadata"]["name"].Text == "grpo-silo");
        var servicePorts = headless["spec"]["ports"].Items.ToDictionary(port => port["targetPort"].Text, port => port["port"].Text);
        foreach (var container in siloContainers.Select(silo => silo.Container))
        {
            var environment = container["env"].Items.Where(variable => variable.Optional("value") is not null)
                .ToDictionary(variable => variable["name"].Text, variable => variable["value"].Text);
            var ports = container["ports"].Items.ToDictionary(port => port["name"].Text, port => port["containerPort"].Text);
            Assert.Equal(environment["GRPO_SILO_PORT"], ports["silo"]);
            Assert.Equal(environment["GRPO_GATEWAY_PORT"], ports["gateway"]);
            Assert.Equal(ports["silo"], servicePorts["silo"]);
            Assert.Equal(ports["gateway"], servicePorts["gateway"]);
        }
    }

    [Fact]
    public void The_compose_database_is_initialised_by_the_same_existing_SQL_files_create_schema_applies_in_the_same_order()
    {
        var schemaScripts = SchemaScripts();
        Assert.Equal(5, schemaScripts.Count);

        var mounts = ComposeServices().Single(service => service.Name == "postgres").Node["volumes"].Items
            .Select(volume => volume.Text.Split(':'))
            .Where(parts => parts.Length >= 2 && parts[1].StartsWith("/docker-entrypoint-initdb.d/", StringComparison.Ordinal))
            .OrderBy(parts => parts[1], StringComparer.Ordinal)
            .ToList();
        Assert.Equal(schemaScripts.Select(script => "./postgres/" + script), mounts.Select(parts => parts[0]));
        Assert.All(mounts, parts => Assert.True(File.Exists(Path.Combine(Deploy, parts[0])), $"compose.yaml mounts {parts[0]}, which does not exist."));
    }

    [Fact]
    public void The_cluster_connection_strings_name_the_database_server_user_and_database_the_files_create()
    {
        var services = ComposeServices().ToDictionary(service => service.Name, service => service.Node);
        var postgres = services["postgres"]["environment"];
        foreach (var (name, client) in services.Where(entry => entry.Value.Optional("environment")?.Optional("GRPO_CLUSTER") is not null))
        {
            var connection = ClusterConnection.Parse(client["environment"]["GRPO_CLUSTER"].Text);
            Assert.True(services.ContainsKey(connection.Host), $"compose service {name} connects to host {connection.Host}, which is no service.");
            Assert.Equal(5432, connection.Port);
            Assert.Equal(postgres["POSTGRES_USER"].Text, connection.Username);
            Assert.Equal(postgres["POSTGRES_DB"].Text, connection.Database);
        }

        var objects = KubernetesObjects();
        var secret = objects.Single(item => item["kind"].Text == "Secret");
        var kubernetesConnection = ClusterConnection.Parse(secret["stringData"]["GRPO_CLUSTER"].Text);
        var server = objects.Single(item => item["kind"].Text == "StatefulSet");
        var serverEnvironment = server["spec"]["template"]["spec"]["containers"].Items.Single()["env"].Items
            .Where(variable => variable.Optional("value") is not null).ToDictionary(variable => variable["name"].Text, variable => variable["value"].Text);
        var service = objects.Single(item => item["kind"].Text == "Service" && item["metadata"]["name"].Text == server["spec"]["serviceName"].Text);
        Assert.Equal($"{service["metadata"]["name"].Text}.{service["metadata"]["namespace"].Text}.svc.cluster.local", kubernetesConnection.Host);
        Assert.Equal(service["spec"]["ports"].Items.Single()["port"].Text, kubernetesConnection.Port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(serverEnvironment["POSTGRES_USER"], kubernetesConnection.Username);
        Assert.Equal(serverEnvironment["POSTGRES_DB"], kubernetesConnection.Database);
    }

    [Fact]
    public void Every_Kubernetes_reference_resolves_to_an_object_or_file_of_the_kustomization()
    {
        var kustomization = YamlNode.LoadAll(KustomizationPath).Single();
        var generated = kustomization["configMapGenerator"].Items.Single();
        var files = generated["files"].Items.Select(file => file.Text).ToList();
        Assert.All(files, file => Assert.True(File.Exists(Path.Combine(Deploy, file)), $"kustomization.yaml generates from {file}, which does not exist."));
        // create-schema.sh reads connection.sh and the SQL files from its own folder: all of them must be in the ConfigMap.
        Assert.Equal(
            new[] { "postgres/connection.sh", "postgres/create-schema.sh" }.Concat(SchemaScripts().Select(script => "postgres/" + script)).Order(),
            files.Order());

        var objects = KubernetesObjects();
        var secrets = objects.Where(item => item["kind"].Text == "Secret").ToDictionary(item => item["metadata"]["name"].Text, item => item["stringData"]);
        var claims = objects.Where(item => item["kind"].Text == "PersistentVolumeClaim").Select(item => item["metadata"]["name"].Text).ToHashSet();
        foreach (var (workload, container, pod) in KubernetesContainers())
        {
            foreach (var reference in container.Optional("env")?.Items.Select(variable => variable.Optional("valueFrom")?.Optional("secretKeyRef")).OfType<YamlNode>() ?? [])
            {
                Assert.True(secrets.TryGetValue(reference["name"].Text, out var data) && data.Optional(reference["key"].Text) is not null,
                    $"{reference.Path} names secret {reference["name"].Text} key {reference["key"].Text}, which no Secret holds.");
            }

            foreach (var volume in pod.Optional("volumes")?.Items ?? [])
            {
                if (volume.Optional("persistentVolumeClaim") is { } claim)
                {
                    Assert.Contains(claim["claimName"].Text, claims);
                }

                if (volume.Optional("configMap") is { } configMap)
                {
                    Assert.Equal(generated["name"].Text, configMap["name"].Text);
                }
            }

            Assert.True(workload["spec"].Optional("selector") is null
                || workload["spec"]["selector"]["matchLabels"].Entries.All(label => pod.Path.Length > 0
                    && workload["spec"]["template"]["metadata"]["labels"].Optional(label.Key)?.Text == label.Value.Text),
                $"{workload.Path}: the selector does not match the pod template's labels.");
        }

        // The schema Job runs the generated create-schema.sh.
        var job = KubernetesContainers().Single(container => container.Workload["kind"].Text == "Job").Container;
        Assert.Equal(new[] { "bash", "/schema/create-schema.sh" }, job["command"].Items.Select(word => word.Text));
        Assert.Equal("/schema", job["volumeMounts"].Items.Single()["mountPath"].Text);
    }

    [Fact]
    public void GPU_rollout_silos_ask_for_a_GPU_each_and_the_learner_silos_share_one_checkpoint_volume()
    {
        var containers = KubernetesContainers().Where(container => ProgramOfImage(container.Container["image"].Text) == ProgramVariables.Silo).ToList();
        var gpu = containers.Single(container => container.Container["image"].Text == "grpo-silo:gpu");
        Assert.Equal("1", gpu.Container["resources"]["limits"]["nvidia.com/gpu"].Text);
        Assert.Equal("rollout", Value(gpu.Container, "GRPO_ROLES"));
        Assert.Equal("cuda", Value(gpu.Container, "GRPO_DEVICE"));

        var learner = containers.Single(container => Value(container.Container, "GRPO_ROLES")!.Split(',').Contains("learner"));
        var checkpoints = Value(learner.Container, "GRPO_CHECKPOINT_DIR");
        var mount = learner.Container["volumeMounts"].Items.Single(item => item["mountPath"].Text == checkpoints);
        var volume = learner.Pod["volumes"].Items.Single(item => item["name"].Text == mount["name"].Text);
        var claim = KubernetesObjects().Single(item => item["kind"].Text == "PersistentVolumeClaim" && item["metadata"]["name"].Text == volume["persistentVolumeClaim"]["claimName"].Text);
        // More than one learner pod shares it, possibly on different nodes.
        Assert.True(int.Parse(learner.Workload["spec"]["replicas"].Text, CultureInfo.InvariantCulture) >= 2);
        Assert.Equal("ReadWriteMany", claim["spec"]["accessModes"].Items.Single().Text);

        var composeLearner = ComposeServices().Single(service => service.Name == "learner").Node;
        var composeCheckpoints = composeLearner["environment"]["GRPO_CHECKPOINT_DIR"].Text;
        Assert.Contains(composeLearner["volumes"].Items, item => item.Text.EndsWith(":" + composeCheckpoints, StringComparison.Ordinal));
    }

    private sealed record VariableSetting(string Where, string Program, string Name);

    private static IEnumerable<VariableSetting> VariablesSet()
    {
        foreach (var dockerfile in new[] { Cpu, Gpu })
        {
            foreach (var stage in dockerfile.Stages.Where(stage => stage is "silo" or "client"))
            {
                foreach (var name in dockerfile.Environment(stage).Keys.Where(IsGrpoVariable))
                {
                    yield return new VariableSetting($"{dockerfile.Path} stage {stage}", stage == "silo" ? ProgramVariables.Silo : ProgramVariables.Client, name);
                }
            }
        }

        foreach (Match match in GrpoVariable().Matches(File.ReadAllText(EntrypointPath)))
        {
            yield return new VariableSetting(EntrypointPath, ProgramVariables.Silo, match.Value);
        }

        foreach (var (name, service) in ComposeServices())
        {
            foreach (var (variable, _) in service.Optional("environment")?.Entries ?? [])
            {
                if (IsGrpoVariable(variable))
                {
                    yield return new VariableSetting($"compose service {name}", ProgramOfImage(service["image"].Text), variable);
                }
            }
        }

        foreach (var (workload, container, _) in KubernetesContainers())
        {
            var program = container.Optional("command")?.Items.Any(word => word.Text.EndsWith("/" + ProgramVariables.CreateSchema, StringComparison.Ordinal)) == true
                ? ProgramVariables.CreateSchema
                : ProgramOfImage(container["image"].Text);
            foreach (var variable in container.Optional("env")?.Items ?? [])
            {
                if (IsGrpoVariable(variable["name"].Text))
                {
                    yield return new VariableSetting(workload.Path, program, variable["name"].Text);
                }
            }
        }
    }

    private static bool IsGrpoVariable(string name) => name.StartsWith("GRPO_", StringComparison.Ordinal);

    /// <summary>Which program a container runs, from the image names the files use; anything else reads no GRPO_ variable.</summary>
    private static string ProgramOfImage(string image) =>
        image.StartsWith("grpo-silo:", StringComparison.Ordinal) ? ProgramVariables.Silo
        : image == "grpo-client" ? ProgramVariables.Client
        : "image " + image;

    private static IEnumerable<(string Name, YamlNode Node)> ComposeServices() =>
        YamlNode.LoadAll(ComposePath).Single()["services"].Entries;

    private static List<YamlNode> KubernetesObjects() =>
        YamlNode.LoadAll(KustomizationPath).Single()["resources"].Items
            .SelectMany(resource =>
            {
                var path = Path.Combine(Deploy, resource.Text);
                Assert.True(File.Exists(path), $"kustomization.yaml lists {resource.Text}, which does not exist.");
                return YamlNode.LoadAll(path);
            })
            .ToList();

    private static IEnumerable<(YamlNode Workload, YamlNode Container, YamlNode Pod)> KubernetesContainers() =>
        KubernetesObjects()
            .Where(item => item["kind"].Text is "Deployment" or "StatefulSet" or "Job")
            .SelectMany(workload => workload["spec"]["template"]["spec"]["containers"].Items
                .Select(container => (workload, container, workload["spec"]["template"]["spec"])));

    private static string? Value(YamlNode container, string name) =>
        container["env"].Items.SingleOrDefault(variable => variable["name"].Text == name)?.Optional("value")?.Text;

    private static DockerInstruction Single(Dockerfile dockerfile, string stage, string keyword) =>
        Assert.Single(dockerfile.InStage(stage), instruction => instruction.Keyword == keyword);

    /// <summary>The SQL files create-schema.sh applies, in its order.</summary>
    private static List<string> SchemaScripts()
    {
        var match = SchemaLoop().Match(File.ReadAllText(Path.Combine(RepositoryLayout.PostgresScripts, "create-schema.sh")));
        Assert.True(match.Success, "create-schema.sh has no 'for script in ...; do' loop over its SQL files.");
        return match.Groups["files"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static IEnumerable<string> ProjectPaths(Dockerfile dockerfile, string verb) =>
        dockerfile.Commands("build")
            .Select(run => Regex.Match(run.Command, $@"^dotnet {verb} (?<project>\S+\.csproj)"))
            .Where(match => match.Success)
            .Select(match => match.Groups["project"].Value);

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            var path = Path.Combine(RepositoryLayout.Root, current);
            Assert.True(File.Exists(path), $"{current} does not exist.");
            if (!seen.Add(current))
            {
                continue;
            }

            foreach (var reference in XDocument.Load(path).Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, reference.Attribute("Include")!.Value));
                pending.Push(Path.GetRelativePath(RepositoryLayout.Root, full).Replace('\\', '/'));
            }
        }

        return seen;
    }

    private static string AssemblyName(string project) =>
        XDocument.Load(Path.Combine(RepositoryLayout.Root, project)).Descendants("AssemblyName").Single().Value;

    [GeneratedRegex(@"GRPO_[A-Z0-9_]+")]
    private static partial Regex GrpoVariable();

    [GeneratedRegex(@"for script in (?<files>[^;]+); do")]
    private static partial Regex SchemaLoop();
}
