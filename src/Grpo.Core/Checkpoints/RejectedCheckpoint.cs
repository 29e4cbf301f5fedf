namespace Grpo.Core.Checkpoints;

/// <summary>A checkpoint folder passed over because it failed verification, and the reason, naming the file at fault.</summary>
public sealed record RejectedCheckpoint(string Path, long Step, string Reason)
{
    public override string ToString() => $"checkpoint '{Path}' failed verification: {Reason}";
}
