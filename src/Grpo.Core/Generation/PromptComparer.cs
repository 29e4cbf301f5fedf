namespace Grpo.Core.Generation;

/// <summary>Compares prompts by their tokens, so a group's identical prompts can share one prefill.</summary>
internal sealed class PromptComparer : IEqualityComparer<int[]>
{
    public static readonly PromptComparer Instance = new();

    public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(int[] prompt)
    {
        var hash = new HashCode();
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(prompt.AsSpan()));
        return hash.ToHashCode();
    }
}
