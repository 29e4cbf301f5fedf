using Grpo.Grains.Ledger;

namespace Grpo.Cluster.Tests.Ledger;

/// <summary>Ledger steps of made-up rows for the buffer and writer tests.</summary>
static class LedgerTestRows
{
    public static LedgerStep Step(long step, int rows, string runId = "r") => new(runId, step,
        [.. Enumerable.Range(0, rows).Select(i => new LedgerRow(runId, step, i / 2, i % 2, $"{step}/{i / 2}", step, "lineage", "ABC", "silo", i, new Dictionary<string, float> { ["answer"] = i },
            -i, 3, "eos", "1+1=", "2"))]);
}
