using Grpo.Grains.Resilience;
using Orleans.Runtime;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>A failure as grpo status shows it: one line with its cause, never a stack trace.</summary>
public sealed class FailureTextTests
{
    [Fact]
    public void A_thrown_exception_gives_its_message_without_the_stack_trace()
    {
        var failure = Thrown(() => throw new InvalidOperationException("run r1: step 7 has 6 of 8 groups."));

        Assert.NotNull(failure.StackTrace);
        Assert.Equal("run r1: step 7 has 6 of 8 groups.", FailureText.Cause(failure));
    }

    [Fact]
    public void A_storage_failure_whose_message_prints_the_whole_driver_exception_gives_one_line_naming_the_database_cause()
    {
        var driver = new UnreachableDatabaseException("Failed to connect to 127.0.0.1:5433");
        var failure = new OrleansException(
            $"Error from storage provider AdoNetGrainStorage.grpo-runs during WriteStateAsync for grain run/r1{Environment.NewLine}" +
            $" Exc level 0: Npgsql.NpgsqlException: {driver.Message}{Environment.NewLine}   at Npgsql.Internal.NpgsqlConnector.Connect(){Environment.NewLine}   at Orleans.Storage.AdoNetGrainStorage.WriteStateAsync()",
            driver);

        var cause = FailureText.Cause(failure);

        Assert.Equal($"the database cannot be reached ({driver.Message})", cause);
    }

    [Fact]
    public void An_exception_of_ours_that_wraps_a_database_failure_gives_its_own_message()
    {
        var driver = new UnreachableDatabaseException("Failed to connect to 127.0.0.1:5433");
        var failure = new InvalidOperationException("PostgreSQL at 127.0.0.1:5433 is unreachable (connection refused): start the server.", driver);

        Assert.Equal(failure.Message, FailureText.Cause(failure));
    }

    [Fact]
    public void A_message_of_several_lines_gives_its_first_line()
    {
        var failure = new InvalidDataException($"Checkpoint file '/ck/step-5/optimizer.safetensors' is corrupt.{Environment.NewLine}   at Grpo.Core.Checkpoints.Load()");

        Assert.Equal("Checkpoint file '/ck/step-5/optimizer.safetensors' is corrupt.", FailureText.Cause(failure));
    }

    [Fact]
    public void An_aggregate_gives_the_cause_it_wraps()
    {
        var failure = new AggregateException(new IOException("disk full while writing /ck/step-10"));

        Assert.Equal("disk full while writing /ck/step-10", FailureText.Cause(failure));
    }

    [Fact]
    public void A_message_longer_than_a_sentence_is_cut_at_the_limit()
    {
        var failure = new InvalidOperationException(new string('x', FailureText.MaxLength * 3));

        var cause = FailureText.Cause(failure);

        Assert.Equal(FailureText.MaxLength, cause.Length);
        Assert.EndsWith("…", cause);
    }

    static Exception Thrown(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("the action threw nothing.");
    }
}
