namespace Grpo.Hosting.Tls;

/// <summary>The most recent reason a peer's certificate was refused, kept for a one-line report.</summary>
public sealed class TlsRejections
{
    private volatile string? last;

    /// <summary>Null until a certificate has been refused.</summary>
    public string? Last => last;

    public void Add(string problem) => last = problem;
}
