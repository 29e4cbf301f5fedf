namespace Grpo.Grains.Resilience;

/// <summary>
/// A failure's cause as people read it in <c>grpo status</c> and in warnings: one line, no stack trace, no printed inner
/// exceptions (Orleans' storage errors carry a whole printed exception in their message). The full exception belongs in
/// the silo log, where the code that gives up on the failure logs it once.
/// </summary>
public static class FailureText
{
    /// <summary>Long enough for two paths, two checksums and a reason; a message longer than this is no sentence.</summary>
    public const int MaxLength = 1000;

    public static string Cause(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        // Orleans and the driver describe a database failure in their terms; an exception that wraps one with its own
        // message (a connection check naming the server and what to do) already says it better.
        if (failure is Orleans.Runtime.OrleansException or System.Data.Common.DbException or AggregateException && DatabaseFailures.IsDatabaseFailure(failure)) return Shorten($"the database cannot be reached ({DriverMessage(failure)})");
        // Wrappers that only say "one or more errors occurred" give way to what they wrap.
        var informative = DatabaseFailures.Causes(failure)
            .FirstOrDefault(cause => cause is not (AggregateException or System.Reflection.TargetInvocationException) && FirstLine(cause.Message).Length > 0);
        return informative is null ? failure.GetType().Name : Shorten(FirstLine(informative.Message));
    }

    /// <summary>What the database driver said about a <see cref="DatabaseFailures.IsDatabaseFailure">database failure</see>, in one line.</summary>
    public static string DriverMessage(Exception databaseFailure)
    {
        var driver = DatabaseFailures.Causes(databaseFailure).FirstOrDefault(cause => cause is System.Data.Common.DbException) ?? databaseFailure;
        return Shorten(FirstLine(driver.Message).TrimEnd('.'));
    }

    static string FirstLine(string message) =>
        message.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0) ?? "";

    static string Shorten(string text) => text.Length <= MaxLength ? text : text[..(MaxLength - 1)] + "…";
}
