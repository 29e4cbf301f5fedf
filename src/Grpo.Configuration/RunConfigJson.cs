using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>
/// The System.Text.Json contract of <see cref="RunConfig"/>: the one source of its keys, their types and how to set
/// them. Keys come out in the order the record declares them (run, sampling, objective, ...), so written files and
/// help text group them as the record does.
/// </summary>
internal static class RunConfigJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions(indented: true);

    public static JsonTypeInfo TypeInfo { get; } = Options.GetTypeInfo(typeof(RunConfig));

    private static JsonSerializerOptions CreateOptions(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = indented,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { InDeclarationOrder } },
        };
        options.MakeReadOnly(populateMissingResolver: false);
        return options;
    }

    private static void InDeclarationOrder(JsonTypeInfo info)
    {
        if (info.Type != typeof(RunConfig))
        {
            return;
        }

        // Metadata token order is declaration order; reflection's own order is not guaranteed to be.
        var ordered = info.Properties.OrderBy(property => ((MemberInfo)property.AttributeProvider!).MetadataToken).ToList();
        info.Properties.Clear();
        foreach (var property in ordered)
        {
            info.Properties.Add(property);
        }
    }
}
