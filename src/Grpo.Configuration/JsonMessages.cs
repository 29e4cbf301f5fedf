namespace Grpo.Configuration;

/// <summary>Cleans System.Text.Json's messages for users who are told the line separately.</summary>
internal static class JsonMessages
{
    // System.Text.Json appends a JSON path and a 0-based "LineNumber: n | BytePositionInLine: m." that would
    // contradict the 1-based line and the configuration key the message is shown with.
    public static string WithoutPosition(string message)
    {
        foreach (var marker in new[] { " Path: ", " LineNumber:" })
        {
            var position = message.IndexOf(marker, StringComparison.Ordinal);
            if (position >= 0)
            {
                message = message[..position];
            }
        }

        return message.TrimEnd();
    }
}
