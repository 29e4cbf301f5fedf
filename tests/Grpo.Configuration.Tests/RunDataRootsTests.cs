using System.Runtime.Versioning;
using Grpo.Abstractions.Configuration;
using Grpo.Grains.Runs.Components;

namespace Grpo.Configuration.Tests;

/// <summary>The folders a silo reads a submitted run's files from: every path-like value is checked, by its key.</summary>
public sealed class RunDataRootsTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    private string Allowed => Directory.CreateDirectory(Path.Combine(folder.Path, "data")).FullName;

    private string Outside => Directory.CreateDirectory(Path.Combine(folder.Path, "elsewhere")).FullName;

    private RunDataRoots Roots => RunDataRoots.Under([Allowed]);

    private static RunConfig Jsonl(string path) => new RunConfig() with { Task = new ComponentSpec("jsonl").WithParameter("path", path) };

    [Fact]
    public void Paths_under_an_allowed_folder_pass()
    {
        var config = Jsonl(Path.Combine(Allowed, "gsm8k", "train.jsonl")) with { ModelPath = Path.Combine(Allowed, "models", "qwen") };

        Assert.Empty(Roots.FindProblems(config));
        Assert.True(Roots.Allows(Allowed));
    }

    [Fact]
    public void A_model_path_outside_is_refused_naming_model_path_the_path_and_the_allowed_folders()
    {
        var model = Path.Combine(Outside, "qwen");

        var problem = Assert.Single(Roots.FindProblems(new RunConfig { ModelPath = model }));

        Assert.Equal("model_path", problem.Key);
        Assert.Equal($"'{model}' ({model}) is outside the folders this silo reads run data from ({Allowed}); the silo's operator can allow more with --data-root", problem.Message);
    }

    [Fact]
    public void A_task_path_that_climbs_out_with_dot_dot_is_refused_as_task_path()
    {
        var climbing = Path.Combine(Allowed, "..", "elsewhere", "secret.jsonl");

        var problem = Assert.Single(Roots.FindProblems(Jsonl(climbing)));

        Assert.Equal("task.path", problem.Key);
        Assert.Contains($"({Path.Combine(Outside, "secret.jsonl")}) is outside", problem.Message);
    }

    [Fact]
    public void A_sibling_folder_whose_name_starts_like_the_root_is_outside()
    {
        var sibling = Allowed + "-private";

        Assert.False(Roots.Allows(Path.Combine(sibling, "x.jsonl")));
        Assert.Equal("task.path", Assert.Single(Roots.FindProblems(Jsonl(Path.Combine(sibling, "x.jsonl")))).Key);
    }

    [Fact]
    public void A_relative_path_is_resolved_against_the_working_folder()
    {
        var roots = RunDataRoots.Under(["data"]);

        Assert.Equal(Path.GetFullPath("data"), Assert.Single(roots.Roots!));
        Assert.Empty(roots.FindProblems(Jsonl(Path.Combine("data", "train.jsonl"))));
        Assert.Equal("task.path", Assert.Single(roots.FindProblems(Jsonl("train.jsonl"))).Key);
    }

    [Fact, UnsupportedOSPlatform("windows")]
    public void A_link_inside_an_allowed_folder_that_points_outside_is_refused()
    {
        var target = Path.Combine(Outside, "passwd");
        File.WriteAllText(target, "secret");
        var link = Path.Combine(Allowed, "innocent.jsonl");
        File.CreateSymbolicLink(link, target);

        var problem = Assert.Single(Roots.FindProblems(Jsonl(link)));

        Assert.Equal("task.path", problem.Key);
        Assert.Equal($"'{link}' is a link to '{target}', outside the folders this silo reads run data from ({Allowed})", problem.Message);
    }

    [Fact]
    public void Every_path_like_component_parameter_is_checked_and_other_parameters_are_not()
    {
        var outside = Path.Combine(Outside, "f");
        var config = new RunConfig
        {
            Rewards =
            [
                new ComponentSpec("answer"),
                new ComponentSpec("custom").WithParameter("vocab_file", outside).WithParameter("cache_dir", outside)
                    .WithParameter("model_directory", outside).WithParameter("lexicon_path", outside).WithParameter("pattern", outside),
            ],
        };

        var keys = Roots.FindProblems(config).Select(p => p.Key).Order(StringComparer.Ordinal);

        Assert.Equal(["rewards[1].cache_dir", "rewards[1].lexicon_path", "rewards[1].model_directory", "rewards[1].vocab_file"], keys);
    }

    [Fact]
    public void Unrestricted_allows_any_path_for_the_embedded_mode()
    {
        var config = Jsonl("/etc/passwd") with { ModelPath = "/" };

        Assert.Empty(RunDataRoots.Unrestricted.FindProblems(config));
        Assert.Null(RunDataRoots.Unrestricted.Roots);
    }

    [Fact]
    public void No_folder_allows_nothing()
    {
        var problem = Assert.Single(RunDataRoots.Under([]).FindProblems(new RunConfig { ModelPath = Allowed }));

        Assert.EndsWith("is outside the folders this silo reads run data from (none); the silo's operator can allow more with --data-root", problem.Message);
    }

    [Fact]
    public void The_file_system_root_allows_everything()
    {
        Assert.Empty(RunDataRoots.Under([Path.GetPathRoot(folder.Path)!]).FindProblems(Jsonl(Path.Combine(Outside, "x.jsonl"))));
    }

    [Fact]
    public void Validate_reports_paths_outside_and_absurd_sizes_together()
    {
        var hostile = Jsonl("/etc/shadow") with { ModelPath = "/root/.ssh", GroupSize = RunConfigBounds.MaxGroupSize + 1 };

        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Validate(hostile, "run r1", null, Roots));

        Assert.Equal(["group_size", "model_path", "task.path"], error.Details.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.StartsWith("Invalid run configuration in run r1 (3 problems)", error.Message);
    }

    [Fact]
    public void A_data_file_outside_the_roots_is_never_opened_by_the_component_check()
    {
        // Checking the jsonl task builds it, which reads its file: its first line would show up in the refusal.
        var outside = Path.Combine(Outside, "shadow.jsonl");
        File.WriteAllText(outside, "root:$6$secret-hash:19000:0:99999:7:::\n");
        var config = Jsonl(outside);
        Assert.Contains(RunConfigValidator.FindProblems(config, RunComponentCatalog.Default), p => p.Key == "task" && p.Message.Contains($"{outside}: line 1"));

        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Validate(config, "run r2", RunComponentCatalog.Default, Roots));

        var problem = Assert.Single(error.Details);
        Assert.Equal("task.path", problem.Key);
        Assert.StartsWith($"'{outside}' ({outside}) is outside", problem.Message);
        Assert.DoesNotContain("secret-hash", error.Message);
    }

    [Fact]
    public void Inside_the_roots_the_component_check_still_reads_the_data_file()
    {
        var inside = Path.Combine(Allowed, "broken.jsonl");
        File.WriteAllText(inside, "not json\n");

        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Validate(Jsonl(inside), "run r3", RunComponentCatalog.Default, Roots));

        var problem = Assert.Single(error.Details);
        Assert.Equal("task", problem.Key);
        Assert.Contains($"{inside}: line 1: invalid JSON", problem.Message);
    }

    public void Dispose() => folder.Dispose();
}
