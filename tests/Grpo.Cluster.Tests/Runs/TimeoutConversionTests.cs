using Grpo.Grains.Resilience;
using Orleans.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>A pipeline timeout leaves grain code as an exception Orleans can carry back to the caller.</summary>
public sealed class TimeoutConversionTests
{
    [Fact]
    public async Task A_timed_out_call_surfaces_as_a_TimeoutException_that_Orleans_can_serialize()
    {
        var pipeline = GrpoResilience.CompletionCalls(TimeSpan.FromMilliseconds(50), new RecordingLogger());

        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            pipeline.ExecuteOnCallerContextAsync(token => Task.Delay(Timeout.Infinite, token)));

        Assert.Null(error.InnerException);
        await using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var copy = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(error));
        Assert.IsType<TimeoutException>(copy);
        Assert.Equal(error.Message, copy.Message);
    }
}
