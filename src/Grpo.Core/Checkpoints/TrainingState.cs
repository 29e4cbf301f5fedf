namespace Grpo.Core.Checkpoints;

/// <summary>Where training stood when a checkpoint was taken; <see cref="Extra"/> carries things like the run id or config hash.</summary>
public sealed record TrainingState(long Step, long PolicyVersion, long DataCursor, byte[] RngState, IReadOnlyDictionary<string, string> Extra);
