using System.Data.Common;
using Orleans.Storage;

namespace Grpo.Grains.Resilience;

/// <summary>
/// Tells a database that cannot be reached (or cannot do the work) apart from every other failure. Orleans reports a
/// storage provider's failure as a plain OrleansException wrapping the provider's own exception (Npgsql's is a
/// <see cref="DbException"/>), the very type a lost grain call throws, so only the wrapped exception says which it is.
/// </summary>
public static class DatabaseFailures
{
    /// <summary>
    /// Whether <paramref name="failure"/> or any exception it wraps came from the database driver. A write refused because
    /// another activation wrote first (<see cref="InconsistentStateException"/>) reached the database: it is no outage.
    /// </summary>
    public static bool IsDatabaseFailure(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var causes = Causes(failure).ToArray();
        return causes.Any(cause => cause is DbException) && !causes.Any(cause => cause is InconsistentStateException);
    }

    /// <summary><paramref name="failure"/> and every exception it wraps, the inner exceptions of an aggregate included.</summary>
    internal static IEnumerable<Exception> Causes(Exception failure)
    {
        var pending = new Stack<Exception>([failure]);
        // An exception chain is short, but a self-referencing one must not loop.
        var seen = new HashSet<Exception>(ReferenceEqualityComparer.Instance);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!seen.Add(current)) continue;
            yield return current;
            if (current is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions) pending.Push(inner);
            else if (current.InnerException is { } inner)
                pending.Push(inner);
        }
    }
}
