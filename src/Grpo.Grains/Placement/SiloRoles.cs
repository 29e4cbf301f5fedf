namespace Grpo.Grains.Placement;

/// <summary>
/// The silo metadata keys Grpo.Orleans publishes (<c>grpo.rollout=true</c>, <c>grpo.learner=true</c>,
/// <c>grpo.device=cuda:0</c>) and the helpers that write and read them, so hosting and placement agree on one spelling.
/// </summary>
public static class SiloRoles
{
    public const string RolloutKey = "grpo.rollout";
    public const string LearnerKey = "grpo.learner";
    public const string DeviceKey = "grpo.device";

    /// <summary>The value a role key carries on a silo that has the role.</summary>
    public const string PresentValue = "true";

    /// <summary>The value a role key carries on a silo that lacks the role.</summary>
    public const string AbsentValue = "false";

    public static string MetadataKey(SiloRole role) => role switch
    {
        SiloRole.Rollout => RolloutKey,
        SiloRole.Learner => LearnerKey,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, $"Unknown silo role {role}."),
    };

    /// <summary>The lower-case role name used in messages and configuration ("rollout", "learner").</summary>
    public static string DisplayName(SiloRole role) => MetadataKey(role)["grpo.".Length..];

    /// <summary>
    /// Builds the metadata a silo publishes. Roles the silo lacks are written as "false" rather than left out
    /// so that an operator reading the membership table sees every capability stated.
    /// </summary>
    public static Dictionary<string, string> ToMetadata(bool rollout, bool learner, string device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RolloutKey] = FormatFlag(rollout),
            [LearnerKey] = FormatFlag(learner),
            [DeviceKey] = device,
        };
    }

    /// <summary>True when <paramref name="metadata"/> declares <paramref name="role"/> (value "true", any case).</summary>
    public static bool HasRole(IReadOnlyDictionary<string, string> metadata, SiloRole role)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.TryGetValue(MetadataKey(role), out var value)
            && bool.TryParse(value, out var present)
            && present;
    }

    /// <summary>The device the silo declared, or null when it published none.</summary>
    public static string? Device(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.TryGetValue(DeviceKey, out var device) ? device : null;
    }

    private static string FormatFlag(bool value) => value ? PresentValue : AbsentValue;
}
