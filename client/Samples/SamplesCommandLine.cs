using System.CommandLine;
using Grpo.Client.Cluster;
using Grpo.Client.Train;
using Grpo.Hosting.Ledger;

namespace Grpo.Client.Samples;

/// <summary><c>grpo samples ID [--step N] [--min-reward X] [--json] [--limit N] [--delete]</c>: options are checked before the database is opened.</summary>
public static class SamplesCommandLine
{
    public const int DefaultLimit = 100;

    public const int MaxLimit = 1_000_000;

    public static Command Create(Func<SamplesArguments, CancellationToken, Task<int>> run, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(environment);
        var runId = new Argument<string>("ID") { Description = "The run's id, as printed by grpo submit." };
        var cluster = new Option<string?>("--cluster")
        {
            Description = $"PostgreSQL connection string of the cluster database [default: ${ClusterCommandLine.ClusterVariable}].",
            HelpName = "CONNECTION",
        };
        var step = new Option<long?>("--step") { Description = "Only the completions trained at this step.", HelpName = "N" };
        var minReward = new Option<float?>("--min-reward") { Description = "Only completions whose reward is at least X.", HelpName = "X" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per completion, with every field, instead of a table." };
        var limit = new Option<int>("--limit")
        {
            Description = "Print at most N completions, in step, prompt and sample order.",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultLimit,
        };
        var delete = new Option<bool>("--delete") { Description = "Delete every ledger row of the run (the ledger keeps rows until they are deleted)." };
        var command = new Command("samples", "Print a run's trained completions from the sample ledger (runs with sample_ledger: true).")
        {
            runId, cluster, step, minReward, json, limit, delete,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            SamplesArguments arguments;
            try
            {
                arguments = Resolve(
                    parsed.GetRequiredValue(runId), parsed.GetValue(cluster) ?? environment(ClusterCommandLine.ClusterVariable), parsed.GetValue(step),
                    parsed.GetValue(minReward), parsed.GetValue(json), parsed.GetValue(limit), parsed.GetValue(delete),
                    limitGiven: parsed.GetResult(limit) is { Implicit: false });
            }
            catch (ArgumentException exception)
            {
                parsed.InvocationConfiguration.Error.WriteLine("grpo: " + exception.Message);
                return ExitCodes.InvalidArguments;
            }

            return await run(arguments, cancellationToken);
        });
        return command;
    }

    /// <exception cref="ArgumentException">An option's value is out of range, or --delete is combined with a filter.</exception>
    internal static SamplesArguments Resolve(string runId, string? connection, long? step, float? minReward, bool json, int limit, bool delete, bool limitGiven)
    {
        TrainArguments.ValidateRunId(runId);
        if (string.IsNullOrWhiteSpace(connection))
            throw new ArgumentException($"no cluster given: pass --cluster \"Host=...;Database=...;Username=...;Password=...\" or set {ClusterCommandLine.ClusterVariable}.");
        if (step is < 0)
            throw new ArgumentException($"--step must be 0 or more, got {step}.");
        if (minReward is { } min && !float.IsFinite(min))
            throw new ArgumentException($"--min-reward must be a finite number, got {min.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        if (limit is < 1 or > MaxLimit)
            throw new ArgumentException($"--limit must be between 1 and {MaxLimit}, got {limit}.");
        if (delete && (step is not null || minReward is not null || json || limitGiven))
            throw new ArgumentException("--delete removes all of the run's ledger rows; it takes no --step, --min-reward, --json or --limit.");
        return new SamplesArguments(connection, new LedgerFilter(runId, step, minReward, limit), json, delete);
    }
}
