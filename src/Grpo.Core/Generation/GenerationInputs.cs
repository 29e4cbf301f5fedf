namespace Grpo.Core.Generation;

/// <summary>Checks shared by the generators, each error naming the field at fault.</summary>
internal static class GenerationInputs
{
    public static void CheckOptions(int vocab, SamplingOptions options, Func<IReadOnlyList<int>, string>? decode)
    {
        if (options.StopStrings.Count > 0 && decode is null)
            throw new ArgumentException("SamplingOptions.StopStrings needs a decode function: construct the generator with decode", nameof(options));
        for (var i = 0; i < options.EosTokenIds.Count; i++)
            if (options.EosTokenIds[i] >= vocab)
                throw new ArgumentException($"SamplingOptions.EosTokenIds[{i}] = {options.EosTokenIds[i]} is outside the vocabulary [0, {vocab})", nameof(options));
    }

    /// <param name="name">How the error names the prompt, e.g. "prompts[3]".</param>
    public static void CheckPrompt(int[]? prompt, string name, int vocab, string parameterName)
    {
        if (prompt is null) throw new ArgumentException($"{name} is null", parameterName);
        if (prompt.Length == 0)
            throw new ArgumentException($"{name} is empty; every prompt needs at least one token", parameterName);
        for (var i = 0; i < prompt.Length; i++)
            if (prompt[i] < 0 || prompt[i] >= vocab)
                throw new ArgumentException($"{name}[{i}] = {prompt[i]} is outside the vocabulary [0, {vocab})", parameterName);
    }
}
