namespace Grpo.Grains.Resilience;

/// <summary>How a run waits for a database that cannot be reached (see <see cref="DatabaseOutage"/>).</summary>
/// <param name="FirstDelay">The delay before the first retry; each later one doubles, with jitter, up to <paramref name="MaxDelay"/>.</param>
/// <param name="MaxDelay">The longest pause between two attempts, so a returning database is noticed within it.</param>
/// <param name="ReportEvery">How often a continuing outage is logged again after the line that announced it.</param>
public sealed record DatabaseWaitOptions(TimeSpan FirstDelay, TimeSpan MaxDelay, TimeSpan ReportEvery)
{
    public static DatabaseWaitOptions Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
}
