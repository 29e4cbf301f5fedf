using System.CommandLine;
using Grpo.Client;
using Grpo.Client.Cluster;
using Grpo.Client.Dashboard;
using Grpo.Client.Eval;
using Grpo.Client.Export;
using Grpo.Client.Progress;
using Grpo.Client.Samples;
using Grpo.Client.Train;
using Grpo.Client.Watch;
using Spectre.Console;

var interactive = !Console.IsOutputRedirected
    && AnsiConsole.Profile.Capabilities.Interactive
    && AnsiConsole.Profile.Capabilities.Ansi;
IProgressView progress = interactive ? new LiveProgressView(AnsiConsole.Console) : new PlainProgressView(Console.Out);
var settings = TrainSettings.Default;
var watcher = new RunWatcher(progress, Console.Out, Console.Error, settings);
var runner = new EmbeddedTrainRunner(new TrainCommand(watcher), Console.Error);
var connector = new PostgresClusterConnector(logger: new ErrorWriterLogger(Console.Error));
var cluster = new ClusterCommands(connector, watcher, Console.Out, Console.Error);
var dashboard = new DashboardCommand(connector, Console.Out, Console.Error);
IActionProgressView actionProgress = interactive ? new LiveActionProgressView(AnsiConsole.Console) : new PlainActionProgressView(Console.Error);
var eval = new EvalCommand(actionProgress, Console.Out, Console.Error);
var export = new ExportCommand(Console.Out, Console.Error);
var samples = new SamplesCommand(new PostgresSampleLedgerReader(), Console.Out, Console.Error);

// After Ctrl+C the run is stopped and its outputs written; the default two seconds would end the process before that.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = settings.StopGrace + TimeSpan.FromSeconds(30) };
var root = GrpoCommandLine.Create(
    runner, cluster, evalRunner: eval.RunAsync, exportRunner: export.RunAsync, samplesRunner: samples.RunAsync, dashboardRunner: dashboard.RunAsync);
return await root.Parse(args).InvokeAsync(invocation);
