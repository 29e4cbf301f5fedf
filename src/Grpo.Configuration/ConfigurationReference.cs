using System.Text;
using System.Text.Json;
using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>
/// Writes docs/configuration.md from the code: every key of <see cref="RunConfig"/> with its type, default and
/// [Description], the names a catalog of components offers for each component key, the renamed keys and the
/// <c>--set</c> syntax. The checked-in file is compared with this output by a test, so the reference cannot drift.
/// </summary>
public static class ConfigurationReference
{
    public static string Markdown(ComponentCatalog? catalog = null)
    {
        catalog ??= ComponentCatalog.Empty;
        var defaults = JsonDocument.Parse(RunConfigLoader.ToJson(new RunConfig())).RootElement;
        var text = new StringBuilder();
        text.Append("""
            # Run configuration

            <!-- Generated from src/Grpo.Abstractions/Configuration/RunConfig.cs by ConfigurationReference; do not edit by hand.
                 Regenerate: GRPO_WRITE_DOCS=1 dotnet test tests/Grpo.Configuration.Tests --filter ConfigurationReferenceTests -->

            A run is configured by a JSON file (`--config FILE`; comments and trailing commas allowed) and `--set key=value`
            overrides (repeatable, applied in order after the file). Keys left out keep the defaults below. Unknown or renamed
            keys, values of the wrong type and values out of range are refused before anything starts, all at once, each
            with its file, line and key. `config.json` in a run's output folder is the configuration it used, in this format.

            Keys that select a **component** (a task, a reward, a part of the objective) take its registered name, `"k3"`, or an
            object with the name and the component's parameters, `{"name": "format", "weight": 0.2}`. The component reads
            and checks its own parameters; one it does not read is refused, naming it.

            ## Keys


            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        text.Append("| key | type | default | meaning |\n|---|---|---|---|\n");
        foreach (var key in RunConfigKeys.All)
        {
            var names = key.ComponentKind is { } kind && catalog.Knows(kind)
                ? $" Registered: {string.Join(", ", catalog.Names(kind).Select(name => $"`{name}`"))}."
                : "";
            text.Append($"| `{key.Name}` | {TypeOf(key)} | `{Escape(JsonSerializer.Serialize(defaults.GetProperty(key.Name)), code: true)}` | {Escape(key.Description, code: false)}{names} |\n");
        }

        text.Append("""

            ## Overrides

            | form | example | effect |
            |---|---|---|
            | `key=value` | `--set steps=50`, `--set loss_type=dapo` | sets a key, read by its type; `null` or nothing clears a key that may be null; lists of strings are comma-separated with `\,` `\n` `\t` `\\` escapes |
            | `key={json}` | `--set 'task={"name": "gsm8k", "path": "train.jsonl"}'` | a component with its parameters |
            | `key.parameter=value` | `--set policy_loss.tau_pos=1.2`, `--set task.path=data.jsonl` | one parameter of a component: JSON when the value reads as JSON, a string otherwise; nothing removes the parameter; `.name` renames the component |
            | `key=a,b` or `key=[json]` | `--set rewards=answer,length` | a list of components by name, or as a JSON array |
            | `key[i]=value`, `key[i].parameter=value` | `--set rewards[1].weight=0.5`, `--set rewards[2]=length` | one entry of a list of components (from 0); `i` equal to the length adds an entry |

            ## Renamed keys

            A file that uses one of these keys is refused with what replaces it.

            | old key | now |
            |---|---|

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        foreach (var (old, replacement) in RenamedKeys.All)
        {
            text.Append($"| `{old}` | {Escape(replacement, code: false)} |\n");
        }

        text.Append("""

            ## Bounds

            A silo accepts run configurations from whoever reaches its gateway, so besides the rules above every size and count
            has an upper bound, well above what a real run needs; the run grain that receives a configuration refuses one
            beyond, naming the key, whatever the client checked.

            | key | at most |
            |---|---|

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        foreach (var (keys, limit) in RunConfigBounds.Documented)
        {
            text.Append($"| {string.Join(", ", keys.Split(", ").Select(key => $"`{key}`"))} | {limit} |\n");
        }

        text.Append("""

            ## Paths on a cluster

            `model_path`, `task.path` and every component parameter named `path` or ending in `_path`, `_file`, `_dir` or
            `_directory` are read by the silos, not by the client. Each silo accepts only paths that lie, once relative paths
            and `..` are resolved against its working folder, under one of its `--data-root` folders (`GRPO_DATA_ROOT`,
            `"DataRoot"` in appsettings.json; comma-separated; default: the folder `data` in the silo's working folder); a path
            that is a symbolic link must point under one too. The check runs before any file is opened, and every path outside
            is named by its key. `grpo train` without a cluster reads any path its user can.

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        return text.ToString();
    }

    private static string TypeOf(RunConfigKey key)
    {
        var type = key.Type switch
        {
            _ when key.Type == typeof(int) => "integer",
            _ when key.Type == typeof(float) || key.Type == typeof(double) => "number",
            _ when key.Type == typeof(bool) => "boolean",
            _ when key.Type == typeof(string) => "string",
            _ when key.Type == typeof(string[]) => "list of strings",
            _ when key.IsComponentList => $"list of {key.ComponentKind} components",
            _ => $"{key.ComponentKind} component",
        };
        return key.AllowsNull ? type + " or null" : type;
    }

    private static string Escape(string text, bool code) =>
        (code ? text : text.Replace("\\", "\\\\", StringComparison.Ordinal)).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
