using Grpo.Grains.Learning;
using Grpo.Grains.Resilience;
using Orleans.Runtime;
using Orleans.Storage;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// What a failure that reached the run loop means: a database that cannot be reached is told apart from a lost learner
/// although Orleans reports both as OrleansException, and every other failure is neither.
/// </summary>
public sealed class RunFailuresTests
{
    /// <summary>How Orleans' storage bridge reports a provider's failure: an OrleansException with the printed driver exception.</summary>
    static OrleansException StorageWriteFailure(Exception driver) =>
        new($"Error from storage provider AdoNetGrainStorage.grpo-runs during WriteStateAsync for grain run/r1{Environment.NewLine} Exc level 0: {driver.GetType()}: {driver.Message}{Environment.NewLine}   at Npgsql.Internal.NpgsqlConnector.Connect()", driver);

    [Fact]
    public void A_storage_write_that_failed_in_the_database_driver_is_a_database_failure_and_no_lost_learner()
    {
        var failure = StorageWriteFailure(new UnreachableDatabaseException("Failed to connect to 127.0.0.1:5433"));

        Assert.True(DatabaseFailures.IsDatabaseFailure(failure));
        Assert.False(RunFailures.IsLostLearner(failure));
        Assert.True(RunFailures.IsOutsideTheRun(failure));
    }

    [Fact]
    public void A_database_failure_inside_an_aggregate_or_several_wrappers_deep_is_still_a_database_failure()
    {
        var driver = new UnreachableDatabaseException("the connection was closed");
        var failure = new AggregateException(new InvalidOperationException("step write"), new TimeoutException("waited", StorageWriteFailure(driver)));

        Assert.True(DatabaseFailures.IsDatabaseFailure(failure));
        Assert.False(RunFailures.IsLostLearner(failure));
    }

    [Fact]
    public void A_write_refused_because_another_activation_wrote_first_is_no_database_failure()
    {
        var failure = new InconsistentStateException("ETag mismatch", "stored", "current", new UnreachableDatabaseException("row version changed"));

        Assert.False(DatabaseFailures.IsDatabaseFailure(failure));
    }

    public static TheoryData<Exception> LostLearners() => new()
    {
        new LearnerLostException("run r1: the learner's activation was lost (a fresh one answers, not initialised)."),
        new LearnerNotInitializedException("r1"),
        new SiloUnavailableException("the silo of the learner is dead"),
        new TimeoutException("Response did not arrive on time"),
        new InvalidOperationException("a prompt failed", new SiloUnavailableException("forwarding to a dead silo failed")),
    };

    [Theory]
    [MemberData(nameof(LostLearners))]
    public void A_lost_silo_or_learner_is_a_lost_learner_and_no_database_failure(Exception failure)
    {
        Assert.True(RunFailures.IsLostLearner(failure));
        Assert.False(DatabaseFailures.IsDatabaseFailure(failure));
    }

    [Fact]
    public void A_failure_of_the_run_itself_is_neither_and_a_resume_would_not_cure_it()
    {
        var failure = new ArgumentException("group g has 3 completions, the run's group size is 4.");

        Assert.False(RunFailures.IsLostLearner(failure));
        Assert.False(DatabaseFailures.IsDatabaseFailure(failure));
        Assert.False(RunFailures.IsOutsideTheRun(failure));
    }
}
