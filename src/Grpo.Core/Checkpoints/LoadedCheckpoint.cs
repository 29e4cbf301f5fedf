using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>What a checkpoint gives back besides the model weights, which are loaded into the caller's module.</summary>
public sealed record LoadedCheckpoint(TrainingState State, Dictionary<string, Tensor> OptimizerState);
