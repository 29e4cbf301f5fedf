using System.Globalization;
using System.Text.Json;
using Grpo.Client.Output;
using Grpo.Client.Progress;
using Grpo.Core.Runtime;

namespace Grpo.Client.Eval;

/// <summary>
/// <c>grpo eval</c>: checks that libtorch loads and can use the requested device (exit code 3 if not), evaluates the
/// policy with a progress bar, prints pass@k and writes the JSON report. Unusable inputs end with one sentence naming
/// them and exit code 2.
/// </summary>
public sealed class EvalCommand(IActionProgressView progress, TextWriter output, TextWriter error, Action? ensureTorchAvailable = null)
{
    private readonly Action ensureTorchAvailable = ensureTorchAvailable ?? TorchRuntime.EnsureAvailable;

    public async Task<int> RunAsync(EvalArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        try
        {
            ensureTorchAvailable();
        }
        catch (TorchUnavailableException exception)
        {
            error.WriteLine("grpo eval: " + exception.Message);
            return ExitCodes.TorchUnavailable;
        }

        try
        {
            arguments.Device.EnsureAvailable();
        }
        catch (ComputeDeviceUnavailableException exception)
        {
            error.WriteLine("grpo eval: " + exception.Message);
            return ExitCodes.TorchUnavailable;
        }

        EvalReport report;
        try
        {
            report = await progress.RunAsync("eval", sink => EvalRunner.RunAsync(arguments, sink, cancellationToken));
        }
        catch (EvalInputException exception)
        {
            error.WriteLine("grpo eval: " + exception.Message);
            return ExitCodes.InvalidArguments;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("grpo eval: interrupted; no report written.");
            return ExitCodes.Interrupted;
        }

        if (report.CheckpointWarning is { } warning)
        {
            error.WriteLine("grpo eval: warning: " + warning);
        }

        foreach (var line in SummaryLines(report))
        {
            output.WriteLine(line);
        }

        if (arguments.OutputPath is { } path)
        {
            try
            {
                Write(report, path);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"grpo eval: cannot write the report to '{path}': {exception.Message}");
                return ExitCodes.RunFailed;
            }

            output.WriteLine($"  report             {path}");
        }

        output.Flush();
        return ExitCodes.Success;
    }

    public static void Write(EvalReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        AtomicFile.Write(path, temporary => File.WriteAllText(temporary, JsonSerializer.Serialize(report, ClientJson.Indented) + Environment.NewLine));
    }

    public static IEnumerable<string> SummaryLines(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var step = report.CheckpointStep is { } s ? $" (step {s})" : "";
        yield return $"eval of {report.SourceKind} {report.Source}{step}";
        yield return $"  dataset            {report.Dataset}";
        yield return Invariant($"  problems           {report.Problems} x {report.SamplesPerProblem} samples at temperature {report.Temperature:0.###}");
        foreach (var (name, value) in report.PassAtK)
        {
            yield return Invariant($"  {name,-18} {value:0.000}");
        }

        yield return Invariant($"  mean reward        {report.MeanReward:0.000}");
        yield return Invariant($"  generation         {report.GeneratedTokens} tokens in {report.Seconds:0.0} s ({report.TokensPerSecond:0} tok/s)");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
