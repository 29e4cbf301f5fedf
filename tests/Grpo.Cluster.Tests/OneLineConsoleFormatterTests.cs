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
    public void A_warning_that_prints_an_exception_into_its_message_keeps_the_words_and_loses_the_stack_frames()
    {
        var message = "Indirect probe request #26 to silo S127.0.0.1:41407 failed. Failure message: Encountered exception  Exc level 0: " +
            $"Orleans.Runtime.OrleansMessageRejectionException: Unable to connect to S127.0.0.1:41407, will retry after 800.6401ms{Environment.NewLine}" +
            $"   at Orleans.Runtime.Messaging.ConnectionManager.GetConnectionAsync(SiloAddress endpoint) in /_/src/Orleans.Core/Networking/ConnectionManager.cs:line 142{Environment.NewLine}" +
            $"   at System.Threading.Tasks.ValueTask.ValueTaskSourceAsTask.<>c.<.cctor>b__4_0(Object state){Environment.NewLine}" +
            $"--- End of stack trace from previous location ---{Environment.NewLine}" +
            $"   at Orleans.Runtime.MembershipService.MembershipSystemTarget.ProbeIndirectly(SiloAddress target, TimeSpan probeTimeout) in /_/src/Orleans.Runtime/MembershipService/MembershipSystemTarget.cs:line 110. Intermediary health score: 0.";

        var line = Write(LogLevel.Warning, message, exception: null);

        Assert.EndsWith(
            $"Unable to connect to S127.0.0.1:41407, will retry after 800.6401ms. Intermediary health score: 0.{Environment.NewLine}", line);
        Assert.DoesNotContain(" at ", line);
        Assert.DoesNotContain("End of stack trace", line);
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
