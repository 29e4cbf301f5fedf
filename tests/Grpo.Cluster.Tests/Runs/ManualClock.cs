namespace Grpo.Cluster.Tests.Runs;

/// <summary>A clock that moves only when the test moves it.</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; private set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public void Advance(TimeSpan by) => Now += by;

    public override DateTimeOffset GetUtcNow() => Now;
}
