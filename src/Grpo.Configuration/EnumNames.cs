using System.Text.Json;
using Grpo.Core.Registries;

namespace Grpo.Configuration;

/// <summary>
/// The snake_case names a configuration uses for the members of a Core enum (<c>WarmupCosine</c> is
/// <c>warmup_cosine</c>), so the allowed values are the enum's own and a name maps to exactly one member.
/// </summary>
public static class EnumNames
{
    public static IReadOnlyList<string> Of<TEnum>()
        where TEnum : struct, Enum => [.. Enum.GetValues<TEnum>().Select(Name)];

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>The member named <paramref name="name"/>; any other name is refused, naming <paramref name="key"/>.</summary>
    /// <exception cref="ComponentException">No member has that name.</exception>
    public static TEnum Parse<TEnum>(string name, string key)
        where TEnum : struct, Enum
    {
        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (Name(value) == name)
            {
                return value;
            }
        }

        throw new ComponentException(key, $"'{name}' is not one of {string.Join(", ", Of<TEnum>())}");
    }
}
