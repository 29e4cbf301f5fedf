namespace Grpo.Grains.Runs;

/// <summary>
/// How often the reminder of a running run ticks. A tick re-activates a run grain whose silo died, so this bounds how
/// long a run stands still after a crash (plus the time membership takes to declare the silo dead).
/// </summary>
public sealed record RunReminderOptions(TimeSpan Period)
{
    public const string ReminderName = "grpo-run-keepalive";

    public static TimeSpan DefaultPeriod { get; } = TimeSpan.FromMinutes(1);
}
