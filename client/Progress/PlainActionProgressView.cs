using System.Globalization;

namespace Grpo.Client.Progress;

/// <summary>For redirected output and CI: a line per phase and one per tenth of the work done.</summary>
public sealed class PlainActionProgressView(TextWriter output, TimeProvider? time = null) : IActionProgressView
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    public Task<T> RunAsync<T>(string title, Func<IActionProgress, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return action(new Sink(output, title, clock));
    }

    private sealed class Sink(TextWriter output, string title, TimeProvider clock) : IActionProgress
    {
        private readonly Lock gate = new();
        private readonly long startedAt = clock.GetTimestamp();
        private string? lastDescription;
        private long lastTenth = -1;

        public void Phase(string description)
        {
            lock (gate)
            {
                lastDescription = description;
                lastTenth = -1;
                Write($"{title}: {description}");
            }
        }

        public void Advance(string description, long done, long total)
        {
            lock (gate)
            {
                if (description != lastDescription)
                {
                    lastDescription = description;
                    lastTenth = -1;
                }

                var tenth = total <= 0 ? 10 : Math.Clamp(done * 10 / total, 0, 10);
                if (tenth == lastTenth)
                {
                    return;
                }

                lastTenth = tenth;
                var percent = total <= 0 ? 100 : done * 100 / total;
                Write(string.Create(CultureInfo.InvariantCulture, $"{title}: {description} {done}/{total} ({percent}%)"));
            }
        }

        private void Write(string line)
        {
            output.WriteLine($"{ProgressText.Elapsed(clock.GetElapsedTime(startedAt))}  {line}");
            output.Flush();
        }
    }
}
