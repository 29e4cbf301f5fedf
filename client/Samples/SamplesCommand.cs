using System.Text.Json;
using Grpo.Client.Output;
using Grpo.Hosting;

namespace Grpo.Client.Samples;

/// <summary>
/// <c>grpo samples ID</c>: prints a run's rows of the sample ledger as a table or JSON lines, or deletes them (--delete).
/// A run without rows, a database without the ledger table and a database that cannot be used each end with one
/// sentence saying what to do.
/// </summary>
public sealed class SamplesCommand(ISampleLedgerReader reader, TextWriter output, TextWriter error)
{
    public async Task<int> RunAsync(SamplesArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var runId = arguments.Filter.RunId;
        try
        {
            if (arguments.Delete)
            {
                var deleted = await reader.DeleteRunAsync(arguments.ConnectionString, runId, cancellationToken);
                output.WriteLine($"deleted {deleted} ledger rows of run {runId}");
                return ExitCodes.Success;
            }

            var samples = await reader.ReadAsync(arguments.ConnectionString, arguments.Filter, cancellationToken);
            if (samples.Count == 0)
            {
                var total = await reader.CountAsync(arguments.ConnectionString, runId, cancellationToken);
                if (total == 0)
                {
                    error.WriteLine($"grpo: run {runId} has no rows in the sample ledger; a run records them only with sample_ledger: true, as its steps are trained.");
                    return ExitCodes.RunFailed;
                }

                error.WriteLine($"grpo: none of the {total} ledger rows of run {runId} match{Describe(arguments)}.");
                return ExitCodes.Success;
            }

            if (arguments.Json)
            {
                foreach (var sample in samples) output.WriteLine(JsonSerializer.Serialize(sample, ClientJson.Line));
            }
            else
            {
                foreach (var line in SamplesText.Lines(samples)) output.WriteLine(line);
            }

            return ExitCodes.Success;
        }
        catch (ClusterConfigurationException exception)
        {
            error.WriteLine("grpo: " + exception.Message);
            return ExitCodes.ClusterUnavailable;
        }
    }

    static string Describe(SamplesArguments arguments)
    {
        var parts = new List<string>();
        if (arguments.Filter.Step is { } step) parts.Add($"--step {step}");
        if (arguments.Filter.MinReward is { } min) parts.Add($"--min-reward {min.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return parts.Count == 0 ? "" : " " + string.Join(" ", parts);
    }
}
