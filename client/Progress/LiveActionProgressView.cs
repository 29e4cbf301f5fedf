using Spectre.Console;

namespace Grpo.Client.Progress;

/// <summary>For an interactive terminal: a progress bar with percentage and remaining time, redrawn in place.</summary>
public sealed class LiveActionProgressView(IAnsiConsole console) : IActionProgressView
{
    public Task<T> RunAsync<T>(string title, Func<IActionProgress, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(context =>
            {
                var task = context.AddTask(Markup.Escape(title));
                task.IsIndeterminate = true;
                return action(new Sink(task, title));
            });
    }

    private sealed class Sink(ProgressTask task, string title) : IActionProgress
    {
        private readonly Lock gate = new();

        public void Phase(string description)
        {
            lock (gate)
            {
                task.Description = Markup.Escape($"{title}: {description}");
                task.IsIndeterminate = true;
            }
        }

        public void Advance(string description, long done, long total)
        {
            lock (gate)
            {
                task.Description = Markup.Escape($"{title}: {description}");
                task.IsIndeterminate = false;
                task.MaxValue = Math.Max(1, total);
                task.Value = Math.Clamp(done, 0, Math.Max(1, total));
            }
        }
    }
}
