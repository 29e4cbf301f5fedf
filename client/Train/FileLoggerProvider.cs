using System.Text;
using Microsoft.Extensions.Logging;

namespace Grpo.Client.Train;

/// <summary>
/// Sends the embedded silo's log to a file, because its warnings on the console would tear the live progress table
/// apart; the run's own errors still reach the console through its status.
/// </summary>
public sealed class FileLoggerProvider : ILoggerProvider
{
    private readonly Lock gate = new();
    private readonly StreamWriter writer;

    public FileLoggerProvider(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        writer = new StreamWriter(new FileStream(fullPath, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false))
        {
            AutoFlush = true,
        };
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
        lock (gate)
        {
            writer.Dispose();
        }
    }

    private void Write(string line)
    {
        lock (gate)
        {
            writer.Write(line);
        }
    }

    private sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = new StringBuilder()
                .Append(DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
                .Append(' ').Append(logLevel).Append(' ').Append(category).Append(": ").Append(formatter(state, exception))
                .Append('\n');
            if (exception is not null)
            {
                line.Append(exception).Append('\n');
            }

            provider.Write(line.ToString());
        }
    }
}
