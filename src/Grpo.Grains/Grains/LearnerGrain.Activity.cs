using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;

namespace Grpo.Grains;

/// <summary>What the learner is busy with, so consoles can show progress of its long actions.</summary>
public sealed partial class LearnerGrain
{
    // Written from the torch thread by warm-up progress and read by interleaved calls: one reference, swapped whole.
    volatile LearnerActivity? activity;

    public Task<LearnerActivity?> GetActivityAsync() => Task.FromResult(activity);

    /// <summary>Runs <paramref name="work"/> as the learner's current activity, cleared when it ends.</summary>
    async Task<T> Doing<T>(string action, Func<Task<T>> work)
    {
        activity = new LearnerActivity(action, 0, 0);
        try
        {
            return await work();
        }
        finally
        {
            activity = null;
        }
    }

    Task Doing(string action, Func<Task> work) => Doing(action, async () =>
    {
        await work();
        return true;
    });

    /// <summary>Reports each supervised warm-up step as the activity.</summary>
    IProgress<(int Step, float Loss)> WarmupProgress(RunConfig runConfig) =>
        new ActivityProgress(value => activity = new LearnerActivity(
            $"supervised warm-up (loss {value.Loss.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)})", value.Step, runConfig.WarmupSftSteps));

    /// <summary>Calls back on the reporting thread itself; <see cref="Progress{T}"/> would post to the thread pool out of order.</summary>
    sealed class ActivityProgress(Action<(int Step, float Loss)> report) : IProgress<(int Step, float Loss)>
    {
        public void Report((int Step, float Loss) value) => report(value);
    }
}
