using Grpo.Abstractions.Configuration;

namespace Grpo.Client.Watch;

/// <summary>
/// The run a <see cref="RunWatcher"/> follows and where its files go. With <see cref="StartWith"/> the watcher starts
/// the run and stops it on Ctrl+C (<c>grpo train</c>); without it the watcher only observes a run that is already
/// going (<c>grpo watch</c>), and Ctrl+C leaves the run alone. The run's samples always go to samples.jsonl; with
/// <see cref="ShowSamples"/> they are shown as well.
/// </summary>
public sealed record WatchTarget(string RunId, string OutputDirectory, RunConfig? StartWith = null, bool ShowSamples = false)
{
    public bool StopsRunOnCancel => StartWith is not null;
}
