using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Grpo.Benchmarks;
using TorchSharp;

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

var startedAt = DateTimeOffset.UtcNow;
var clock = Stopwatch.StartNew();
bool Runs(string name) => arguments.Benchmark == name || arguments.Benchmark == "all" && BenchmarkArguments.Suite.Contains(name);
var log = Console.Out;

var rollout = Runs("rollout") ? await RolloutScalingBenchmark.RunAsync(arguments.Quick, log) : null;
var step = Runs("step") ? await StepBenchmark.RunAsync(arguments.Quick, log) : null;
var learner = Runs("learner") ? LearnerBenchmark.Run(arguments.Quick, log) : null;
var publication = Runs("publish") ? await PublicationBenchmark.RunAsync(arguments.Quick, log) : null;
var longTail = Runs("longtail") ? LongTailBenchmark.Run(arguments.Quick, log) : null;
var batching = arguments.Benchmark == "batching" ? await BatchingBenchmark.RunAsync(arguments, log) : null;
if (arguments.Benchmark == "logprobs") LogProbsMemoryBenchmark.Run(arguments.Quick, log);
var memory = arguments.Benchmark == "memory" ? await MemoryBenchmark.RunAsync(arguments, log) : null;
var scaleOut = arguments.Benchmark == "scaleout" ? await ScaleOutBenchmark.RunAsync(arguments.Quick, log) : null;
if (batching is not null)
    log.WriteLine($"  speedup        {batching.Speedup,10:0.0}x  (target >= {batching.TargetSpeedup:0}x: {(batching.Speedup >= batching.TargetSpeedup ? "met" : "NOT met")})");

var machine = new MachineInfo(Environment.ProcessorCount, torch.get_num_threads(), RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
    "peak resident set of the benchmark process, which hosts the silos; Linux VmHWM");
var targets = Targets.Judge(rollout, step, learner, publication, memory, longTail, scaleOut);
var report = new SuiteReport(startedAt, arguments.Quick, machine, rollout, step, learner, publication, batching, targets, BenchRuns.PeakMemoryMb(),
    clock.Elapsed.TotalSeconds) { Memory = memory, LongTail = longTail, ScaleOut = scaleOut };
if (arguments.Quick) log.WriteLine("quick form: a smoke check with a round or two each, so the target lines below are indicative only");
foreach (var target in targets.Where(t => t.Value is not null)) log.WriteLine(target.Describe());
log.WriteLine($"peak memory {report.PeakMemoryMb:0} MB; {report.Seconds:0} s in all");

var json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
var folder = Path.GetDirectoryName(Path.GetFullPath(arguments.OutputPath));
if (folder is not null) Directory.CreateDirectory(folder);
await File.WriteAllTextAsync(arguments.OutputPath, json + Environment.NewLine);
var markdownPath = Path.ChangeExtension(arguments.OutputPath, ".md");
await File.WriteAllTextAsync(markdownPath, MarkdownReport.Render(report, "dotnet run --project tests/Grpo.Benchmarks -c Release -- " + string.Join(' ', args)));
log.WriteLine($"written to {arguments.OutputPath} and {markdownPath}");
// A memory case whose training failed measured nothing: the command fails too, so the smoke run catches it.
return memory?.Rows.Any(row => !row.Succeeded) == true ? 1 : 0;
