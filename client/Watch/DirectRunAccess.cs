using Grpo.Abstractions.Grains;

namespace Grpo.Client.Watch;

/// <summary>A run reached through one grain reference, as is: its calls are not repeated.</summary>
public sealed class DirectRunAccess(IRunGrain run) : IRunAccess
{
    public Task<T> CallAsync<T>(Func<IRunGrain, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return call(run);
    }
}
