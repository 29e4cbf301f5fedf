using System.Globalization;
using Grpo.Abstractions.Configuration;
using Grpo.Client.Train;

namespace Grpo.Cluster.Tests.Client;

public sealed class TrainArgumentsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Without_options_the_defaults_are_used_with_a_dated_run_id_and_output_folder()
    {
        var arguments = TrainArguments.Resolve(new TrainOptions(), Now);

        Assert.Equal(new RunConfig(), arguments.Config);
        var expectedId = "demo-" + Now.ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        Assert.Equal(expectedId, arguments.RunId);
        Assert.Matches(@"^demo-\d{8}-\d{6}$", arguments.RunId);
        Assert.Equal(Path.GetFullPath(Path.Combine("runs", expectedId)), arguments.OutputDirectory);
    }

    [Fact]
    public void File_then_seed_then_set_each_win_over_the_previous_source()
    {
        var file = folder.File("run.json", """{ "seed": 5, "steps": 10, "group_size": 4, "beta": 0.1 }""");

        var arguments = TrainArguments.Resolve(new TrainOptions
        {
            ConfigPath = file,
            Seed = 7,
            Overrides = ["steps=12", "beta=0"],
            RunId = "r1",
            OutputDirectory = Path.Combine(folder.Path, "out"),
        }, Now);

        Assert.Equal(7, arguments.Config.Seed);         // --seed over the file
        Assert.Equal(12, arguments.Config.Steps);       // --set over the file
        Assert.Equal(0f, arguments.Config.Beta);        // --set over the file
        Assert.Equal(4, arguments.Config.GroupSize);    // the file over the default of 8
        Assert.Equal(new RunConfig().PromptsPerStep, arguments.Config.PromptsPerStep); // untouched default
        Assert.Equal("r1", arguments.RunId);
        Assert.Equal(Path.Combine(folder.Path, "out"), arguments.OutputDirectory);
    }

    [Fact]
    public void A_set_seed_wins_over_the_seed_option()
    {
        var arguments = TrainArguments.Resolve(new TrainOptions { Seed = 7, Overrides = ["seed=9"], RunId = "r" }, Now);
        Assert.Equal(9, arguments.Config.Seed);
    }

    [Fact]
    public void The_seed_option_overrides_the_file_without_any_set()
    {
        var file = folder.File("run.json", """{ "seed": 5 }""");
        var arguments = TrainArguments.Resolve(new TrainOptions { ConfigPath = file, Seed = 11, RunId = "r" }, Now);
        Assert.Equal(11, arguments.Config.Seed);
    }

    [Fact]
    public void A_bad_file_value_names_the_file_the_line_and_the_key()
    {
        var file = folder.File("bad.json", "{\n  \"seed\": 1,\n  \"group_size\": 0\n}");

        var error = Assert.Throws<RunConfigException>(() => TrainArguments.Resolve(new TrainOptions { ConfigPath = file, RunId = "r" }, Now));

        Assert.Contains(file, error.Message);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("group_size", error.Message);
    }

    [Fact]
    public void An_invalid_set_value_is_refused_even_when_the_file_is_fine()
    {
        var file = folder.File("run.json", """{ "steps": 10 }""");
        var error = Assert.Throws<RunConfigException>(() =>
            TrainArguments.Resolve(new TrainOptions { ConfigPath = file, Overrides = ["steps=-3"], RunId = "r" }, Now));
        Assert.Contains("steps", error.Message);
        Assert.Contains("--set", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a/b")]
    [InlineData("..")]
    public void A_run_id_that_cannot_name_a_folder_is_refused(string runId)
    {
        var error = Assert.Throws<ArgumentException>(() => TrainArguments.Resolve(new TrainOptions { RunId = runId }, Now));
        Assert.Contains("--run-id", error.Message);
    }
}
