using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>
/// Applies <c>--set</c> assignments: <c>key=value</c> for any key, read by the key's type; <c>key.parameter=value</c>
/// for a parameter of a component (<c>policy_loss.tau_pos=1.2</c>, <c>task.path=data.jsonl</c>); <c>key[i]=value</c>
/// and <c>key[i].parameter=value</c> for an entry of a list of components (<c>rewards[1].weight=0.5</c>; <c>i</c> equal
/// to the length appends an entry). A parameter's value is JSON when it reads as JSON and a string otherwise; an empty
/// value removes the parameter; <c>.name</c> renames the component and keeps its parameters.
/// </summary>
internal static class RunConfigOverrides
{
    public static (RunConfig Config, IReadOnlyList<RunConfigProblem> Problems) Apply(RunConfig config, IEnumerable<string> assignments)
    {
        // A copy that nobody else has seen yet, so filling it through the init accessors cannot surprise anyone.
        var result = config with { };
        var problems = new List<RunConfigProblem>();
        foreach (var assignment in assignments)
        {
            ArgumentNullException.ThrowIfNull(assignment, nameof(assignments));
            if (Apply(result, assignment) is { } problem)
            {
                problems.Add(problem);
            }
        }

        return (result, problems);
    }

    private static RunConfigProblem? Apply(RunConfig result, string assignment)
    {
        var separator = assignment.IndexOf('=');
        if (separator < 0)
        {
            return new RunConfigProblem(null, $"'--set {assignment}' is not of the form --set key=value");
        }

        var name = assignment[..separator].Trim();
        var text = assignment[(separator + 1)..];
        var quoted = $"'--set {assignment}'";
        if (!ConfigPath.TryParse(name, out var path))
        {
            return new RunConfigProblem(name.Length == 0 ? null : name,
                $"unknown key in {quoted}; write key, key.parameter, key[index] or key[index].parameter");
        }

        if (!RunConfigKeys.TryGet(path.Key, out var key))
        {
            return new RunConfigProblem(path.Key, RenamedKeys.TryExplain(path.Key, out var renamed)
                ? $"{renamed} (in {quoted})"
                : $"unknown key in {quoted}; {RunConfigKeys.SuggestFor(path.Key)}");
        }

        if (path.Index is null && path.Parameter is null)
        {
            if (!RunConfigValueText.TryParse(key, text, out var value, out var problem))
            {
                return new RunConfigProblem(key.Name, $"{problem} (in {quoted})");
            }

            key.SetOn(result, value);
            return null;
        }

        var shapeProblem = key switch
        {
            { ComponentKind: null } => "is not a component; only keys that select components take [index] or .parameter",
            { IsComponentList: false } when path.Index is not null => "selects one component, not a list; write " + ConfigPath.Member(key.Name, "parameter"),
            { IsComponentList: true } when path.Index is null => $"is a list; name the entry, e.g. {ConfigPath.Member(ConfigPath.Element(key.Name, 0), path.Parameter!)}",
            _ => null,
        };
        if (shapeProblem is not null)
        {
            return new RunConfigProblem(path.ToString(), $"{key.Name} {shapeProblem} (in {quoted})");
        }

        if (key.IsComponentList)
        {
            return SetEntry(result, key, path, text, quoted);
        }

        key.SetOn(result, WithParameter((ComponentSpec)key.ValueIn(result)!, path.Parameter!, text));
        return null;
    }

    private static RunConfigProblem? SetEntry(RunConfig result, RunConfigKey key, ConfigPath path, string text, string quoted)
    {
        var entries = ((IReadOnlyList<ComponentSpec>)key.ValueIn(result)!).ToList();
        var index = path.Index!.Value;
        if (index > entries.Count || (index == entries.Count && path.Parameter is not null))
        {
            return new RunConfigProblem(path.ToString(),
                $"{key.Name} has {entries.Count} entries (from [0]); {ConfigPath.Element(key.Name, entries.Count)}=NAME adds one (in {quoted})");
        }

        ComponentSpec entry;
        if (path.Parameter is null)
        {
            if (!RunConfigValueText.TryParseComponent(text.Trim(), out var value, out var problem))
            {
                return new RunConfigProblem(path.ToString(), $"{problem} (in {quoted})");
            }

            entry = (ComponentSpec)value!;
        }
        else
        {
            entry = WithParameter(entries[index], path.Parameter, text);
        }

        if (index == entries.Count)
        {
            entries.Add(entry);
        }
        else
        {
            entries[index] = entry;
        }

        key.SetOn(result, (IReadOnlyList<ComponentSpec>)entries);
        return null;
    }

    private static ComponentSpec WithParameter(ComponentSpec spec, string parameter, string text)
    {
        if (parameter == ComponentSpec.NameKey)
        {
            return new ComponentSpec(text.Trim(), spec.Parameters);
        }

        return text.Length == 0 ? spec.WithoutParameter(parameter) : spec.WithParameterJson(parameter, RunConfigValueText.ParameterJson(text));
    }
}
