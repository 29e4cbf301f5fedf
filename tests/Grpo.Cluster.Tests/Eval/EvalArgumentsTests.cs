using Grpo.Abstractions.Configuration;
using Grpo.Client.Eval;
using Grpo.Cluster.Tests.Client;

namespace Grpo.Cluster.Tests.Eval;

public sealed class EvalArgumentsTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Defaults_measure_pass_at_1_with_one_sample_on_the_held_out_set()
    {
        var arguments = EvalArguments.Resolve(new EvalOptions { CheckpointPath = folder.Path });

        Assert.Equal(EvalArguments.CheckpointKind, arguments.SourceKind);
        Assert.Equal([1], arguments.K);
        Assert.Equal(1, arguments.Samples);
        Assert.Null(arguments.DatasetPath);
        Assert.Equal(new RunConfig(), arguments.Config);
    }

    [Fact]
    public void Samples_default_to_the_largest_k_and_k_is_sorted_without_repeats()
    {
        var arguments = EvalArguments.Resolve(new EvalOptions { CheckpointPath = folder.Path, K = [8, 1, 8, 4] });

        Assert.Equal([1, 4, 8], arguments.K);
        Assert.Equal(8, arguments.Samples);
    }

    [Fact]
    public void A_model_directory_becomes_the_configurations_model_path()
    {
        var arguments = EvalArguments.Resolve(new EvalOptions { ModelPath = folder.Path, Overrides = ["top_k=1"] });

        Assert.Equal(EvalArguments.ModelKind, arguments.SourceKind);
        Assert.Equal(Path.GetFullPath(folder.Path), arguments.Config.ModelPath);
        Assert.Equal(1, arguments.Config.TopK);
    }

    [Theory]
    [InlineData(null, null, "give exactly one of --checkpoint DIR")]
    [InlineData("both", "both", "give exactly one of --checkpoint DIR")]
    public void Exactly_one_source_is_required(string? checkpoint, string? model, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => EvalArguments.Resolve(new EvalOptions
        {
            CheckpointPath = checkpoint is null ? null : folder.Path,
            ModelPath = model is null ? null : folder.Path,
        }));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_missing_checkpoint_folder_is_named()
    {
        var missing = Path.Combine(folder.Path, "nope");
        var error = Assert.Throws<ArgumentException>(() => EvalArguments.Resolve(new EvalOptions { CheckpointPath = missing }));
        Assert.Equal($"--checkpoint '{missing}' is not a directory.", error.Message);
    }

    [Fact]
    public void A_missing_model_folder_is_named()
    {
        var missing = Path.Combine(folder.Path, "model");
        var error = Assert.Throws<ArgumentException>(() => EvalArguments.Resolve(new EvalOptions { ModelPath = missing }));
        Assert.Equal($"--model '{missing}' is not a directory.", error.Message);
    }

    [Theory]
    [InlineData(new[] { 0 }, null, null, "--k 0: k must be at least 1.")]
    [InlineData(new[] { -2, 1 }, null, null, "--k -2: k must be at least 1.")]
    [InlineData(new[] { 5 }, 2, null, "--k 5 is larger than --samples 2: pass@k needs at least k samples per problem.")]
    [InlineData(new int[0], 0, null, "--samples 0: at least one completion per problem is needed.")]
    [InlineData(new int[0], null, 0, "--limit 0: must be at least 1.")]
    public void Bad_k_samples_or_limit_are_refused(int[] k, int? samples, int? limit, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => EvalArguments.Resolve(new EvalOptions
        {
            CheckpointPath = folder.Path, K = k, Samples = samples, Limit = limit,
        }));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_missing_dataset_is_named()
    {
        var missing = Path.Combine(folder.Path, "gsm8k.jsonl");
        var error = Assert.Throws<ArgumentException>(() => EvalArguments.Resolve(new EvalOptions { CheckpointPath = folder.Path, DatasetPath = missing }));
        Assert.Equal($"--dataset '{missing}' does not exist.", error.Message);
    }

    [Fact]
    public void A_bad_configuration_key_names_the_key()
    {
        var config = folder.File("run.json", "{\n  \"temprature\": 0.5\n}\n");
        var error = Assert.Throws<RunConfigException>(() => EvalArguments.Resolve(new EvalOptions { CheckpointPath = folder.Path, ConfigPath = config }));
        Assert.Contains("temprature", error.Message);
        Assert.Contains("run.json", error.Message);
    }
}
