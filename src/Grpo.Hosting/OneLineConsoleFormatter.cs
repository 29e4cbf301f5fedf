using System.Globalization;
using Grpo.Grains.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Grpo.Hosting;

/// <summary>
/// The silo's console log: one line per entry, as the simple console formatter writes it in single-line mode
/// ("HH:mm:ss warn: Category[id] message"), except that a warning or anything milder carries only its exception's
/// cause. Warnings are what a cluster says while it recovers (a silo killed, connections refused, placement retried):
/// one kill would otherwise print dozens of multi-kilobyte stack traces. Errors keep the whole exception.
/// </summary>
/// <remarks>
/// Some of Orleans' warnings print an exception into their message text; the stack frames are cut from those too, so the
/// message keeps its words and the exception's cause.
/// </remarks>
public sealed partial class OneLineConsoleFormatter(IOptionsMonitor<ConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "grpo-one-line";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null) return;
        var settings = options.CurrentValue;
        var line = new System.Text.StringBuilder();
        if (settings.TimestampFormat is { } format)
            line.Append((settings.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now).ToString(format, CultureInfo.InvariantCulture));
        line.Append(Level(logEntry.LogLevel)).Append(": ").Append(logEntry.Category)
            .Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append(']');
        if (!string.IsNullOrEmpty(message))
            line.Append(' ').Append(logEntry.LogLevel >= LogLevel.Error ? message : StackFrames().Replace(message, ""));
        if (logEntry.Exception is { } exception)
        {
            line.Append(' ').Append(logEntry.LogLevel >= LogLevel.Error
                ? exception.ToString()
                : $"({exception.GetType().Name}: {FailureText.Cause(exception)})");
        }
        textWriter.WriteLine(line.Replace(Environment.NewLine, " ").Replace('\n', ' ').ToString());
    }

    /// <summary>A stack frame ("   at Type.Method(args) in file:line 12") or the marker between two traces.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\s+(at [^\s(]+\([^)]*\)( in \S+:line \d+)?|--- End of (inner exception )?stack trace[^-]*---)")]
    private static partial System.Text.RegularExpressions.Regex StackFrames();

    static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString().ToLowerInvariant(),
    };
}
