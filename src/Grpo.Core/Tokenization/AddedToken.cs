namespace Grpo.Core.Tokenization;

/// <summary>
/// A token matched verbatim in the raw text before normalisation and BPE (Hugging Face "added token").
/// <paramref name="Special"/> tokens are the ones dropped by <c>Decode(ids, skipSpecialTokens: true)</c>.
/// </summary>
public sealed record AddedToken(int Id, string Content, bool Special);
