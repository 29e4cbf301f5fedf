using System.Text.Json;
using Grpo.Core.Registries;
using Grpo.Core.Tasks;

namespace Grpo.Core.Tests.Tasks;

/// <summary>Builds registered tasks from JSON parameters, as a run configuration's <c>task</c> section gives them.</summary>
internal static class TaskArguments
{
    public static readonly GrpoRegistries Registries = GrpoRegistries.CreateDefault();

    public static ComponentArguments Of(string json, ComponentServices? services = null) =>
        new("task", JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json), services);

    public static ComponentServices Settings(int seed = 0, int heldOutSize = 0) => new ComponentServices().With(new TaskSettings(seed, heldOutSize));

    public static IPromptTask Create(string name, string json, int seed = 0, int heldOutSize = 0) =>
        Registries.Tasks.Create(name, Of(json, Settings(seed, heldOutSize)));

    /// <summary>A JSON string literal of <paramref name="text"/>, for paths inside JSON parameters.</summary>
    public static string Quote(string text) => JsonSerializer.Serialize(text);
}
