namespace Grpo.Integration.Tests.TestGrains;

/// <summary>A counter kept in the "grpo-runs" storage, with a reminder, to exercise the PostgreSQL persistence and reminder scripts.</summary>
public interface IStoredCounterGrain : IGrainWithStringKey
{
    Task<int> Increment();

    Task<int> Value();

    Task RemindEveryMinute(string reminderName);

    Task<bool> HasReminder(string reminderName);
}
