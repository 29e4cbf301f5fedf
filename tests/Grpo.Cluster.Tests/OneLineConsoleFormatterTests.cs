using Grpo.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Grpo.Cluster.Tests;

/// <summary>The silo's console lines: one per entry, warnings with their exception's cause only, errors with the whole exception.</summary>
public sealed class OneLineConsoleFormatterTests
{
    const string Category = "Orleans.Runtime.Messaging.ConnectionManager";

    static string Write(LogLevel level, string message, Exception? exception)
    {
        var formatter = new OneLineConsoleFormatter(new FixedOptions(new ConsoleFormatterOptions { TimestampFormat = "HH:mm:ss " }));
        using var text = new StringWriter();
        formatter.Write(new LogEntry<string>(level, Category, new EventId(42), message, exception, (state, _) => state), null, text);
        return text.ToString();
    }

    static Exception ThrownConnectionFailure()
    {
        try
        {
            throw new IOException($"Unable to connect to 127.0.0.1:11111.{Environment.NewLine}Error: ConnectionRefused");
        }
        catch (IOException e)
        {
            return new InvalidOperationException("Connection attempt failed", e);
        }
    }

    [Fact]
    public void A_warning_is_one_line_with_its_exception_s_cause_and_no_stack_trace()
    {
        var exception = ThrownConnectionFailure();

        var line = Write(LogLevel.Warning, "Connection attempt to endpoint S127.0.0.1:11111 failed", exception);

        Assert.Single(line.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^\d\d:\d\d:\d\d warn: Orleans\.Runtime\.Messaging\.ConnectionManager\[42\] Connection attempt to endpoint S127\.0\.0\.1:11111 failed \(InvalidOperationException: Connection attempt failed\)\r?\n$", line);
        Assert.DoesNotContain(nameof(ThrownConnectionFailure), line);
    }

    [Fact]
    public void An_error_keeps_the_whole_exception_with_its_stack_trace_on_its_one_line()
    {
        var exception = ThrownConnectionFailure();

        var line = Write(LogLevel.Error, "Run r1 failed.", exception);

        Assert.Single(line.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(" fail: " + Category + "[42] Run r1 failed. System.InvalidOperationException: Connection attempt failed", line);
        Assert.Contains(nameof(ThrownConnectionFailure), line);
        Assert.Contains("Error: ConnectionRefused", line);
    }

    [Fact]
    public void A_message_of_several_lines_is_written_on_one()
    {
        var line = Write(LogLevel.Information, $"first{Environment.NewLine}second", exception: null);

        Assert.EndsWith($" info: {Category}[42] first second{Environment.NewLine}", line);
    }

    sealed class FixedOptions(ConsoleFormatterOptions value) : IOptionsMonitor<ConsoleFormatterOptions>
    {
        public ConsoleFormatterOptions CurrentValue => value;

        public ConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConsoleFormatterOptions, string?> listener) => null;
    }
}
