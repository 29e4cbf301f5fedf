namespace Grpo.Hosting.Tls;

/// <summary>Why peers' certificates were refused: the most recent reason, kept for a one-line report, and each told to <paramref name="report"/>.</summary>
public sealed class TlsRejections(Action<string>? report = null)
{
    private volatile string? last;

    /// <summary>Null until a certificate has been refused.</summary>
    public string? Last => last;

    public void Add(string problem)
    {
        last = problem;
        report?.Invoke(problem);
    }
}
