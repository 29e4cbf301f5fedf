using System.Globalization;
using System.Text.Json;

namespace Grpo.Core.Rewards.Http;

/// <summary>
/// Reads a reward service's answer, <c>{"scores":[numbers...]}</c> with one finite score per item in the order the
/// items were sent. Anything else is a <see cref="RewardServiceException"/> naming the field that is wrong.
/// </summary>
public static class RewardServiceResponse
{
    /// <summary>Longest stretch of a bad answer quoted in an error.</summary>
    const int Shown = 200;

    public static float[] ParseScores(string body, int itemCount, Uri url)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(url);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new RewardServiceException(url, $"answered with invalid JSON ({e.Message}): {Excerpt(body)}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new RewardServiceException(url, $"answered with {Kind(root)}, not an object with field 'scores': {Excerpt(body)}");
            if (!root.TryGetProperty("scores", out var scores))
                throw new RewardServiceException(url, $"answer has no field 'scores': {Excerpt(body)}");
            if (scores.ValueKind != JsonValueKind.Array)
                throw new RewardServiceException(url, $"field 'scores' is {Kind(scores)}, not a list of numbers");
            var count = scores.GetArrayLength();
            if (count != itemCount)
                throw new RewardServiceException(url, $"scores has {count} {(count == 1 ? "entry" : "entries")} for {itemCount} {(itemCount == 1 ? "item" : "items")}");

            var result = new float[count];
            var index = 0;
            foreach (var score in scores.EnumerateArray())
            {
                if (score.ValueKind != JsonValueKind.Number || !double.TryParse(score.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    throw new RewardServiceException(url, $"scores[{index}] is {Excerpt(score.GetRawText())}, not a number");
                var single = (float)value;
                if (!float.IsFinite(single))
                    throw new RewardServiceException(url, $"scores[{index}] is {score.GetRawText()}, not a finite number");
                result[index++] = single;
            }
            return result;
        }
    }

    static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };

    internal static string Excerpt(string text) => text.Length <= Shown ? text : text[..Shown] + "…";
}
