using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// Keeps the messages that the project's own code logs on every silo of a test cluster, so a test can count what the
/// grains reported (Orleans' own categories are left out to keep the record small).
/// </summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    public const string CategoryPrefix = "Grpo.";

    readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> entries = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries => entries.ToArray();

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(CategoryPrefix, StringComparison.Ordinal) ? new Logger(categoryName, entries) : NoLogger.Instance;

    public void Dispose()
    {
    }

    sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }

    sealed class NoLogger : ILogger
    {
        public static NoLogger Instance { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
