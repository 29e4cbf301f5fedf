using Grpo.Hosting.Ledger;

namespace Grpo.Client.Samples;

/// <summary><c>grpo samples</c> once its options are checked.</summary>
/// <param name="Delete">Delete the run's rows instead of printing them.</param>
public sealed record SamplesArguments(string ConnectionString, LedgerFilter Filter, bool Json, bool Delete);
