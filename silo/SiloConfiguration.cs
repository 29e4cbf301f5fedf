using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Grpo.Silo;

/// <summary>
/// Builds grpo-silo's configuration with Microsoft.Extensions.Configuration: appsettings.json beside the executable,
/// then GRPO_ environment variables, then the command line, each overriding the one before.
/// </summary>
public static class SiloConfiguration
{
    public const string SettingsFileName = "appsettings.json";

    private const string LoggingVariablePrefix = "Logging__";

    /// <exception cref="SiloArgumentException">An unknown option, an option without a value, a stray word, or an unreadable settings file.</exception>
    public static IConfiguration Build(IReadOnlyList<string> args, IDictionary environment, string settingsDirectory)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        CheckCommandLine(args);

        var switchMappings = SiloOption.All.ToDictionary(option => option.Switch, option => option.Key, StringComparer.Ordinal);
        var settingsFile = Path.Combine(settingsDirectory, SettingsFileName);
        try
        {
            return new ConfigurationBuilder()
                .AddJsonFile(settingsFile, optional: true, reloadOnChange: false)
                .AddInMemoryCollection(FromEnvironment(environment))
                .AddCommandLine([.. args], switchMappings)
                .Build();
        }
        catch (InvalidDataException e)
        {
            throw new SiloArgumentException($"{settingsFile} is not valid JSON: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    /// <summary>True when the arguments ask for help, which needs no other argument to be valid.</summary>
    public static bool AsksForHelp(IReadOnlyList<string> args) => args.Any(arg => arg is "--help" or "-h");

    public static string Usage()
    {
        var lines = new List<string>
        {
            "usage: grpo-silo [--cluster CONNECTION] [--roles rollout,learner] [--device cpu|cuda:N] [--silo-port N] [--gateway-port N]",
            "                 [--primary-port N] [--checkpoint-dir DIR] [--advertised-ip IP] [--cluster-id NAME] [--service-id NAME]",
            "                 [--metrics none|console|otlp] [--otlp-endpoint URL] [--metrics-interval SECONDS] [--dashboard-port N]",
            "                 [--dashboard-bind IP] [--dashboard-token-file FILE] [--tls on|off] [--tls-cert FILE] [--tls-key FILE] [--tls-ca FILE]",
            "                 [--log-level LEVEL]",
            "Each option can also be set as an environment variable (GRPO_SILO_PORT=...) or in appsettings.json beside the",
            "executable (\"SiloPort\": ...); the command line wins over the environment, which wins over the file.",
            "Log levels per category also come from the standard variables, e.g. Logging__LogLevel__Orleans=Information.",
            "",
        };
        lines.AddRange(SiloOption.All.Select(option => $"  {option.Switch,-18} {option.Help}"));
        return string.Join(Environment.NewLine, lines);
    }

    private static void CheckCommandLine(IReadOnlyList<string> args)
    {
        var known = SiloOption.All.Select(option => option.Switch).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new SiloArgumentException($"unexpected argument '{arg}'; options are written --name value (see --help).");
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            if (!known.Contains(name))
            {
                throw new SiloArgumentException($"unknown option '{name}'; known options: {string.Join(", ", known)}.");
            }

            if (equals >= 0)
            {
                continue;
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new SiloArgumentException($"option '{name}' needs a value.");
            }

            i++;
        }
    }

    private static Dictionary<string, string?> FromEnvironment(IDictionary environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var option in SiloOption.All)
        {
            if (environment[option.EnvironmentVariable] is string value)
            {
                values[option.Key] = value;
            }
        }

        // The standard .NET variables for log levels, e.g. Logging__LogLevel__Orleans=Information, as any host reads them.
        foreach (DictionaryEntry variable in environment)
        {
            if (variable.Key is string name && name.StartsWith(LoggingVariablePrefix, StringComparison.OrdinalIgnoreCase) && variable.Value is string value)
            {
                values[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
            }
        }

        return values;
    }
}
