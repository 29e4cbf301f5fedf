using System.Globalization;

namespace Grpo.Benchmarks;

/// <summary>The command line: <c>rollout [--quick] [--output path] [--requests n]</c>.</summary>
internal sealed record BenchmarkArguments(string Benchmark, bool Quick, string OutputPath, int Requests)
{
    public const string Usage = "usage: Grpo.Benchmarks rollout [--quick] [--output <path>] [--requests <n>]";

    public static BenchmarkArguments Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] != "rollout")
            throw new ArgumentException($"unknown or missing benchmark '{(args.Count == 0 ? "" : args[0])}'; the only one is 'rollout'.\n{Usage}");
        var quick = false;
        var output = Path.Combine("bench-results", "rollout.json");
        var requests = 32;
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--output":
                    output = ValueOf(args, ref i);
                    break;
                case "--requests":
                    var text = ValueOf(args, ref i);
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out requests) || requests <= 0)
                        throw new ArgumentException($"--requests '{text}' must be a positive whole number.\n{Usage}");
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'.\n{Usage}");
            }
        }
        return new BenchmarkArguments(args[0], quick, output, requests);
    }

    static string ValueOf(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
        return args[++i];
    }
}
