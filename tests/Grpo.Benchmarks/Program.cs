using System.Text.Json;
using Grpo.Benchmarks;

BenchmarkArguments arguments;
try
{
    arguments = BenchmarkArguments.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

var report = await RolloutBenchmark.RunAsync(arguments, Console.Out);
Console.WriteLine($"  speedup        {report.Speedup,10:0.0}x  (target >= {report.TargetSpeedup:0}x: {(report.Speedup >= report.TargetSpeedup ? "met" : "NOT met")})");

var json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
var folder = Path.GetDirectoryName(Path.GetFullPath(arguments.OutputPath));
if (folder is not null) Directory.CreateDirectory(folder);
await File.WriteAllTextAsync(arguments.OutputPath, json + Environment.NewLine);
Console.WriteLine($"  written to {arguments.OutputPath}");
return 0;
