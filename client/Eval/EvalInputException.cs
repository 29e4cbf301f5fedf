namespace Grpo.Client.Eval;

/// <summary>Something <c>grpo eval</c> was given cannot be used: a missing or corrupt checkpoint, a dataset it cannot read.</summary>
public sealed class EvalInputException(string message, Exception? inner = null) : Exception(message, inner);
