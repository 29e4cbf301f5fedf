using Spectre.Console;

namespace Grpo.Cluster.Tests.Client;

/// <summary>A Spectre console that writes plain text (no ANSI, no colour, not interactive) into a writer a test reads.</summary>
internal static class PlainConsole
{
    public static IAnsiConsole Create(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(writer),
    });
}
