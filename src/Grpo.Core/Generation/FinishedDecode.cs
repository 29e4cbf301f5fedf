namespace Grpo.Core.Generation;

/// <summary>A request a <see cref="ContinuousBatcher"/> step finished, with its completion.</summary>
public sealed record FinishedDecode(DecodeRequest Request, GeneratedSequence Sequence);
