using System.Text.Json;

namespace Grpo.Core.Rewards.Http;

/// <summary>
/// The body of one call to a reward service: <c>{"items":[{"prompt","completion","answer","metadata"}, ...]}</c>,
/// the answer null when the task has none and the metadata an object of strings (empty when there is none).
/// </summary>
public static class RewardServiceRequest
{
    public static byte[] Serialize(IReadOnlyList<RewardInput> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("items");
            foreach (var item in items)
            {
                writer.WriteStartObject();
                writer.WriteString("prompt", item.Prompt);
                writer.WriteString("completion", item.Completion);
                if (item.Answer is null) writer.WriteNull("answer");
                else writer.WriteString("answer", item.Answer);
                writer.WriteStartObject("metadata");
                foreach (var (name, value) in item.Metadata ?? new Dictionary<string, string>())
                {
                    writer.WriteString(name, value);
                }
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
