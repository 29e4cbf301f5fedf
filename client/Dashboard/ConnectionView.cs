namespace Grpo.Client.Dashboard;

/// <summary>Whether a feed reaches the cluster, and if not why and when it tries again; the page shows it as a banner.</summary>
public sealed record ConnectionView(bool Reachable, string? Message)
{
    public static ConnectionView Up { get; } = new(true, null);
}
