namespace Grpo.Client.Cluster;

/// <summary>
/// How a command that only reads from the cluster (watch, status, list) tries again when the cluster cannot be
/// reached: jittered exponential backoff from <see cref="FirstDelay"/> up to <see cref="MaxDelay"/> between attempts.
/// Only a connection that was made is made again (a cluster never reached fails the command at once). A command gives
/// up after <see cref="Retries"/> retries in a row, except that <c>grpo watch</c>, once it has read its run, keeps
/// trying until the run ends or the user stops it.
/// </summary>
public sealed record ReconnectPolicy(TimeSpan FirstDelay, TimeSpan MaxDelay, int Retries)
{
    /// <summary>1, 2, 4, 8, 16 and 30 s: about a minute before a command gives up, then a line every 30 s while watch waits.</summary>
    public static ReconnectPolicy Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), Retries: 6);

    /// <summary>One attempt: stop, resume and submit change a run and report a lost connection instead of repeating themselves.</summary>
    public static ReconnectPolicy None { get; } = new(TimeSpan.Zero, TimeSpan.Zero, Retries: 0);
}
