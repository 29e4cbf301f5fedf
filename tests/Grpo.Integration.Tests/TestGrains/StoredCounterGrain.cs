using Grpo.Hosting;

namespace Grpo.Integration.Tests.TestGrains;

public sealed class StoredCounterGrain(
    [PersistentState("counter", GrpoSiloBuilderExtensions.RunStorageName)] IPersistentState<CounterState> counter)
    : Grain, IStoredCounterGrain, IRemindable
{
    public async Task<int> Increment()
    {
        counter.State.Value++;
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<int> Value() => Task.FromResult(counter.State.Value);

    public async Task RemindEveryMinute(string reminderName) =>
        await this.RegisterOrUpdateReminder(reminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

    public async Task<bool> HasReminder(string reminderName) => await this.GetReminder(reminderName) is not null;

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
