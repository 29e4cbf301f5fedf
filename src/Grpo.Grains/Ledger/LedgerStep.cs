namespace Grpo.Grains.Ledger;

/// <summary>
/// The rows of one trained step of one run: the unit the ledger buffers, drops and writes, so that a step's rows in the
/// table are always those of one training of it (a redone step replaces all of them, never a part).
/// </summary>
public sealed record LedgerStep(string RunId, long Step, IReadOnlyList<LedgerRow> Rows)
{
    public int Count => Rows.Count;
}
