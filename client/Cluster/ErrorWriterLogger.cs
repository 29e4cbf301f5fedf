using Microsoft.Extensions.Logging;

namespace Grpo.Client.Cluster;

/// <summary>
/// Writes warnings and errors as "grpo: ..." lines to the command's error output, so a command that retries (an
/// unreachable database, say) tells its user why it is waiting.
/// </summary>
public sealed class ErrorWriterLogger(TextWriter error) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var reason = exception is null ? "" : $" ({exception.Message})";
        error.WriteLine($"grpo: {formatter(state, exception)}{reason}");
    }
}
