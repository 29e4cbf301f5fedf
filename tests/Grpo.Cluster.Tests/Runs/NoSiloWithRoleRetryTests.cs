using Grpo.Grains.Placement;
using Grpo.Grains.Resilience;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// A grain that cannot be placed because no silo has its role fails the same way on every attempt: the prompt, completion
/// and weight calls give it straight back (the run's loop redoes the step once a silo is there) instead of logging retries.
/// </summary>
public sealed class NoSiloWithRoleRetryTests
{
    public static TheoryData<string> Pipelines => ["completion", "prompt", "weight"];

    [Theory]
    [MemberData(nameof(Pipelines))]
    public async Task A_call_no_silo_can_take_is_tried_once(string pipeline)
    {
        var calls = 0;

        await Assert.ThrowsAsync<NoSiloWithRoleException>(() => Pipeline(pipeline).ExecuteOnCallerContextAsync(_ =>
        {
            calls++;
            throw new NoSiloWithRoleException(SiloRole.Rollout, "completion/r1/0/0/0", 0);
        }));

        Assert.Equal(1, calls);
    }

    [Theory]
    [MemberData(nameof(Pipelines))]
    public async Task A_lost_silo_is_still_retried(string pipeline)
    {
        var calls = 0;

        await Pipeline(pipeline).ExecuteOnCallerContextAsync(_ =>
        {
            if (++calls == 1) throw new SiloUnavailableException("the silo died");
            return Task.CompletedTask;
        });

        Assert.Equal(2, calls);
    }

    static ResiliencePipeline Pipeline(string name) => name switch
    {
        "completion" => GrpoResilience.CompletionCalls(TimeSpan.FromSeconds(30), NullLogger.Instance),
        "prompt" => GrpoResilience.PromptCalls(NullLogger.Instance),
        _ => GrpoResilience.WeightCalls(NullLogger.Instance),
    };
}
