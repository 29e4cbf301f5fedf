namespace Grpo.Client.Train;

/// <summary>How <see cref="Watch.RunWatcher"/> watches a run, for <c>grpo train</c> and <c>grpo watch</c> alike.</summary>
public sealed record TrainSettings
{
    public static TrainSettings Default { get; } = new();

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>After Ctrl+C the client waits this long for the run to reach a final state before it writes its outputs anyway.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>chart.png and summary.json are refreshed after this many new steps (and always at the end).</summary>
    public int RefreshEverySteps { get; init; } = 10;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
