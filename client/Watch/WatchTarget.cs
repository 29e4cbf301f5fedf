using Grpo.Abstractions.Configuration;

namespace Grpo.Client.Watch;

/// <summary>
/// The run a <see cref="RunWatcher"/> follows and where its files go. With <see cref="StartWith"/> the watcher starts
/// the run and stops it on Ctrl+C (<c>grpo train</c>); without it the watcher only observes a run that is already
/// going (<c>grpo watch</c>), and Ctrl+C leaves the run alone.
/// </summary>
public sealed record WatchTarget(string RunId, string OutputDirectory, RunConfig? StartWith = null)
{
    public bool StopsRunOnCancel => StartWith is not null;
}
