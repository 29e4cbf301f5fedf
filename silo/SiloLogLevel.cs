using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Grpo.Silo;

/// <summary>Reads --log-level (GRPO_LOG_LEVEL), which overrides the default level of appsettings.json.</summary>
public static class SiloLogLevel
{
    /// <returns>The level asked for, or null to keep the configured one.</returns>
    /// <exception cref="SiloArgumentException">Not one of the level names.</exception>
    public static LogLevel? From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = SiloSettings.Text(configuration, SiloOption.LogLevel);
        if (text is null)
        {
            return null;
        }

        // Enum.TryParse would also take numbers and combinations; only the names are meant.
        var level = Enum.GetValues<LogLevel>().Where(value => string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (level.Count == 0)
        {
            throw new SiloArgumentException(
                $"{SiloOption.LogLevel.Display} is '{text}'; expected {string.Join(", ", Enum.GetNames<LogLevel>())}.");
        }

        return level[0];
    }

    /// <summary>
    /// Makes <paramref name="level"/> the default and brings every category configured less verbosely down to it, so
    /// asking for Debug shows Debug everywhere, while a category configured more verbosely keeps its level.
    /// </summary>
    public static void Apply(LoggerFilterOptions filters, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(filters);
        filters.MinLevel = level;
        var rules = filters.Rules.ToList();
        filters.Rules.Clear();
        foreach (var rule in rules)
        {
            if (rule.CategoryName is null && rule.ProviderName is null && rule.Filter is null)
            {
                continue;
            }

            var lowered = rule.LogLevel is { } configured && configured > level ? level : rule.LogLevel;
            filters.Rules.Add(new LoggerFilterRule(rule.ProviderName, rule.CategoryName, lowered, rule.Filter));
        }

        filters.Rules.Add(new LoggerFilterRule(null, null, level, null));
    }
}
