using System.CommandLine;
using Grpo.Client;
using Grpo.Client.Samples;
using Grpo.Hosting;
using Grpo.Hosting.Ledger;

namespace Grpo.Cluster.Tests.Client;

/// <summary><c>grpo samples</c>: its options' errors, a run without rows, a filter that matches none, and both output forms.</summary>
public sealed class SamplesCommandTests
{
    const string Connection = "Host=127.0.0.1;Port=5432;Database=grpo;Username=grpo;Password=x";
    readonly StringWriter output = new();
    readonly StringWriter error = new();
    readonly FakeReader reader = new();

    [Theory]
    [InlineData("--step", "-1", "--step must be 0 or more, got -1.")]
    [InlineData("--limit", "0", "--limit must be between 1 and 1000000, got 0.")]
    [InlineData("--min-reward", "NaN", "--min-reward must be a finite number, got NaN.")]
    public async Task A_bad_option_value_exits_with_2_naming_the_option(string option, string value, string message)
    {
        var exitCode = await InvokeAsync("samples", "run-1", "--cluster", Connection, option, value);

        Assert.Equal(ExitCodes.InvalidArguments, exitCode);
        Assert.Equal("grpo: " + message, error.ToString().Trim());
        Assert.Equal(0, reader.Reads);
    }

    [Fact]
    public async Task Delete_with_a_filter_and_a_missing_cluster_are_refused()
    {
        Assert.Equal(ExitCodes.InvalidArguments, await InvokeAsync("samples", "run-1", "--cluster", Connection, "--delete", "--step", "2"));
        Assert.Contains("--delete removes all of the run's ledger rows", error.ToString());
        Assert.Equal(ExitCodes.InvalidArguments, await InvokeAsync("samples", "run-1"));
        Assert.Contains("no cluster given", error.ToString());
        Assert.Equal(0, reader.Reads);
    }

    [Fact]
    public async Task A_run_without_rows_exits_with_1_and_says_sample_ledger_must_be_on()
    {
        Assert.Equal(ExitCodes.RunFailed, await InvokeAsync("samples", "run-1", "--cluster", Connection));
        Assert.Equal("grpo: run run-1 has no rows in the sample ledger; a run records them only with sample_ledger: true, as its steps are trained.", error.ToString().Trim());
    }

    [Fact]
    public async Task A_filter_that_matches_nothing_says_how_many_rows_the_run_has()
    {
        reader.Total = 12;

        Assert.Equal(ExitCodes.Success, await InvokeAsync("samples", "run-1", "--cluster", Connection, "--step", "3", "--min-reward", "0.5"));
        Assert.Equal("grpo: none of the 12 ledger rows of run run-1 match --step 3 --min-reward 0.5.", error.ToString().Trim());
        Assert.Equal(new LedgerFilter("run-1", 3, 0.5f, 100), reader.LastFilter);
    }

    [Fact]
    public async Task A_missing_ledger_table_exits_with_4_and_names_the_script()
    {
        reader.Failure = new ClusterConfigurationException(ClusterProblem.SchemaMissing, "Database 'grpo' at 127.0.0.1:5432 has no sample ledger table (grpo_sample_ledger): run deploy/postgres/create-schema.sh.");

        Assert.Equal(ExitCodes.ClusterUnavailable, await InvokeAsync("samples", "run-1", "--cluster", Connection));
        Assert.Contains("run deploy/postgres/create-schema.sh", error.ToString());
    }

    [Fact]
    public async Task Rows_print_as_a_table_or_as_json_lines()
    {
        reader.Samples = [Sample(0, "1+2=", "3"), Sample(1, "4+4=", "8\nmore")];

        Assert.Equal(0, await InvokeAsync("samples", "run-1", "--cluster", Connection, "--limit", "5"));
        var table = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("STEP  PROMPT  SAMPLE  VERSION  REWARD  ADVANTAGE  TOKENS  FINISH  SILO", table[0]);
        Assert.Equal("0     2       1       0        1.000   0.500      1       eos     s1    1+2= → 3", table[1]);
        Assert.EndsWith("4+4= → 8\\nmore", table[2]);
        Assert.Equal(5, reader.LastFilter!.Limit);

        output.GetStringBuilder().Clear();
        Assert.Equal(0, await InvokeAsync("samples", "run-1", "--cluster", Connection, "--json"));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"completion\":\"8\\nmore\"", lines[1]);
        Assert.Contains("\"rewardComponents\":{\"answer\":1}", lines[0]);
    }

    static LedgerSample Sample(long step, string prompt, string completion) => new("run-1", step, 2, 1, $"{step}/2", step, "l", "AB", "s1", 1f,
        new Dictionary<string, float> { ["answer"] = 1f }, 0.5f, 1, "eos", prompt, completion, DateTimeOffset.UnixEpoch);

    Task<int> InvokeAsync(params string[] args) =>
        GrpoCommandLine.Create(new NoTrain(), new Grpo.Client.Cluster.ClusterCommands(new FakeClusterConnector(),
                new Grpo.Client.Watch.RunWatcher(new Grpo.Client.Progress.PlainProgressView(output), output, error), output, error),
            environment: _ => null, samplesRunner: new SamplesCommand(reader, output, error).RunAsync)
            .Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

    sealed class NoTrain : Grpo.Client.Train.ITrainRunner
    {
        public Task<int> RunAsync(Grpo.Client.Train.TrainArguments arguments, CancellationToken cancellationToken) => throw new InvalidOperationException("no training here");
    }

    sealed class FakeReader : ISampleLedgerReader
    {
        public IReadOnlyList<LedgerSample> Samples { get; set; } = [];
        public long Total { get; set; }
        public Exception? Failure { get; set; }
        public int Reads { get; private set; }
        public LedgerFilter? LastFilter { get; private set; }

        public Task<IReadOnlyList<LedgerSample>> ReadAsync(string connectionString, LedgerFilter filter, CancellationToken cancellationToken)
        {
            Reads++;
            LastFilter = filter;
            return Failure is { } failure ? Task.FromException<IReadOnlyList<LedgerSample>>(failure) : Task.FromResult(Samples);
        }

        public Task<long> CountAsync(string connectionString, string runId, CancellationToken cancellationToken) => Task.FromResult(Total);

        public Task<int> DeleteRunAsync(string connectionString, string runId, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
