using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Grpo.Client.Cluster;

/// <summary>
/// The Orleans client's own log stays silent, so a command prints only its result; GRPO_LOG_LEVEL (Trace, Debug,
/// Information, Warning, ...) turns it on, on standard error, to see why a connection fails.
/// </summary>
public static class ClientLogging
{
    public const string LevelVariable = "GRPO_LOG_LEVEL";

    /// <exception cref="ArgumentException">The variable names no log level.</exception>
    public static void Configure(ILoggingBuilder logging, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(environment);
        logging.ClearProviders();
        if (Level(environment(LevelVariable)) is not { } level)
        {
            return;
        }

        logging.SetMinimumLevel(level);
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        });
        // Standard output carries the command's result (JSON for --json), so the log goes to standard error.
        logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    /// <summary>The level named by <paramref name="text"/>, or null when it is empty.</summary>
    /// <exception cref="ArgumentException">Not one of the level names.</exception>
    public static LogLevel? Level(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var names = Enum.GetValues<LogLevel>().Where(value => string.Equals(value.ToString(), text.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        return names.Count == 1
            ? names[0]
            : throw new ArgumentException($"{LevelVariable} is '{text}'; expected {string.Join(", ", Enum.GetNames<LogLevel>())}.");
    }
}
