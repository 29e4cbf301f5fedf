using System.Text.Json;
using Grpo.Client.Output;

namespace Grpo.Client.Dashboard;

/// <summary>One server-sent event: its name (what the page does with it) and its JSON data on one line.</summary>
public sealed record DashboardEvent(string Name, string Data)
{
    public static DashboardEvent Of<T>(string name, T value) => new(name, JsonSerializer.Serialize(value, ClientJson.Line));

    /// <summary>The event as it goes on the wire; JSON on one line never holds a raw line break, so one data line suffices.</summary>
    public string ToWire() => $"event: {Name}\ndata: {Data}\n\n";
}
