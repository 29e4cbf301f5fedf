namespace Grpo.Core.Training;

/// <summary>
/// A loss or gradient of the learner became NaN or infinite. The optimizer update it belonged to was not applied (the
/// gradients were zeroed; weights and AdamW state are as before the update), and the step stops: training on would
/// spread the NaN through every weight.
/// </summary>
public sealed class NonFiniteTrainingException : Exception
{
    public NonFiniteTrainingException(string quantity, int updateInStep, int updatesInStep, long learnerUpdate)
        : base($"non-finite {quantity} in optimizer update {updateInStep} of {updatesInStep} of this learner step " +
               $"(update {learnerUpdate} of the learner); the update was not applied.")
    {
        Quantity = quantity;
        UpdateInStep = updateInStep;
        LearnerUpdate = learnerUpdate;
    }

    /// <summary>What was not finite, e.g. "loss (NaN) of micro-batch 2 of 3" or "gradient of parameter model.norm.weight".</summary>
    public string Quantity { get; }

    /// <summary>1-based index of the refused optimizer update within the step.</summary>
    public int UpdateInStep { get; }

    /// <summary>1-based index the refused update would have had among all the learner's updates.</summary>
    public long LearnerUpdate { get; }
}
