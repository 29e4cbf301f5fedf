using System.Text;

namespace Grpo.Integration.Tests;

/// <summary>One instruction of a Dockerfile: its stage ("AS name" of the FROM above it), keyword and arguments, continuation lines joined.</summary>
public sealed record DockerInstruction(string File, int Line, string Stage, string Keyword, string Arguments)
{
    public string[] Words => Arguments.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"{File}:{Line}: {Keyword} {Arguments}";
}

/// <summary>A Dockerfile read into instructions, enough to check what it copies, builds, sets and exposes.</summary>
public sealed class Dockerfile
{
    private Dockerfile(string path, IReadOnlyList<DockerInstruction> instructions)
    {
        Path = path;
        Instructions = instructions;
    }

    public string Path { get; }
    public IReadOnlyList<DockerInstruction> Instructions { get; }

    public static Dockerfile Load(string path)
    {
        var instructions = new List<DockerInstruction>();
        var stage = "";
        var text = new StringBuilder();
        var start = 0;
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (text.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (text.Length == 0)
            {
                start = i + 1;
            }

            var continues = line.EndsWith('\\');
            text.Append(continues ? line[..^1] : line).Append(' ');
            if (continues)
            {
                continue;
            }

            var instruction = text.ToString().Trim();
            text.Clear();
            var space = instruction.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (space < 0 ? instruction : instruction[..space]).ToUpperInvariant();
            var arguments = space < 0 ? "" : instruction[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stage = words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : "";
            }

            instructions.Add(new DockerInstruction(path, start, stage, keyword, arguments));
        }

        return new Dockerfile(path, instructions);
    }

    public IEnumerable<DockerInstruction> InStage(string stage) => Instructions.Where(instruction => instruction.Stage == stage);

    public IEnumerable<string> Stages => Instructions.Where(instruction => instruction.Keyword == "FROM").Select(instruction => instruction.Stage);

    /// <summary>NAME=VALUE pairs of the stage's ENV instructions (values without spaces, as these files write them).</summary>
    public IReadOnlyDictionary<string, string> Environment(string stage) => InStage(stage)
        .Where(instruction => instruction.Keyword == "ENV")
        .SelectMany(instruction => instruction.Words)
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(pair => pair[0], pair => pair.Length == 2 ? pair[1] : "", StringComparer.Ordinal);

    /// <summary>The shell commands of the RUN instructions of a stage, split at &&.</summary>
    public IEnumerable<(DockerInstruction Instruction, string Command)> Commands(string stage) => InStage(stage)
        .Where(instruction => instruction.Keyword == "RUN")
        .SelectMany(instruction => instruction.Arguments.Split("&&", StringSplitOptions.TrimEntries).Select(command => (instruction, command)));
}
