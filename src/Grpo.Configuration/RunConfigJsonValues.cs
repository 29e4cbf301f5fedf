using System.Text.Json;
using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>
/// Reads one key's JSON value with System.Text.Json into the key's type, turning its refusals into problems that say
/// what was expected and what was found, under the path of the offending value (a bad entry of rewards is rewards[i]).
/// </summary>
internal static class RunConfigJsonValues
{
    public static IReadOnlyList<RunConfigProblem> Read(RunConfigKey key, JsonElement element, out object? value)
    {
        value = null;
        if (element.ValueKind == JsonValueKind.Null)
        {
            return key.AllowsNull ? [] : [new RunConfigProblem(key.Name, $"must not be null; expected {key.Expected}")];
        }

        if (key.IsComponentList)
        {
            return ReadComponentList(key, element, out value);
        }

        if (key.Type == typeof(ComponentSpec))
        {
            return ReadComponent(key.Name, element, out value) is { } problem ? [problem] : [];
        }

        try
        {
            value = JsonSerializer.Deserialize(element, key.Json.PropertyType, RunConfigJson.Options);
        }
        catch (JsonException)
        {
            value = null;
        }

        var finite = value switch
        {
            float single => float.IsFinite(single),
            double number => double.IsFinite(number),
            _ => value is not null,
        };
        return finite ? [] : [new RunConfigProblem(key.Name, $"expected {key.Expected}, got {RunConfigValueText.Describe(element)}")];
    }

    private static IReadOnlyList<RunConfigProblem> ReadComponentList(RunConfigKey key, JsonElement element, out object? value)
    {
        value = null;
        if (element.ValueKind != JsonValueKind.Array)
        {
            return [new RunConfigProblem(key.Name, $"expected {key.Expected}, got {RunConfigValueText.Describe(element)}")];
        }

        var problems = new List<RunConfigProblem>();
        var entries = new List<ComponentSpec>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var path = ConfigPath.Element(key.Name, index++);
            if (item.ValueKind == JsonValueKind.Null)
            {
                problems.Add(new RunConfigProblem(path, $"must not be null; expected {ComponentSpecJsonConverter.Expected}"));
            }
            else if (ReadComponent(path, item, out var entry) is { } problem)
            {
                problems.Add(problem);
            }
            else
            {
                entries.Add((ComponentSpec)entry!);
            }
        }

        value = (IReadOnlyList<ComponentSpec>)entries;
        return problems;
    }

    private static RunConfigProblem? ReadComponent(string path, JsonElement element, out object? value)
    {
        value = null;
        if (element.ValueKind is not (JsonValueKind.String or JsonValueKind.Object))
        {
            return new RunConfigProblem(path, $"expected {ComponentSpecJsonConverter.Expected}, got {RunConfigValueText.Describe(element)}");
        }

        try
        {
            value = element.Deserialize<ComponentSpec>(RunConfigJson.Options);
            return null;
        }
        catch (JsonException exception)
        {
            // The converter's own words: what the object lacks or has twice.
            return new RunConfigProblem(path, JsonMessages.WithoutPosition(exception.Message));
        }
    }
}
