using System.Globalization;

namespace Grpo.Benchmarks;

/// <summary>The command line: <c>&lt;benchmark&gt; [--quick] [--output path.json] [--requests n]</c>.</summary>
internal sealed record BenchmarkArguments(string Benchmark, bool Quick, string OutputPath, int Requests, string? Client = null)
{
    /// <summary>The memory benchmark's layer count instead of the shape's own (a smaller machine can still compare builds); null: the shape's.</summary>
    public int? Layers { get; init; }

    /// <summary>The memory benchmark's one case to run (by name); null: every case.</summary>
    public string? Case { get; init; }

    /// <summary>
    /// Every benchmark `all` runs, in its order; `batching` is the older engine-batching comparison, `logprobs` the peak
    /// memory of chunked against unchunked log-probs, `memory` the peak memory of `grpo train` at a 0.5B shape, `scaleout`
    /// rollout scale-out, learner egress and max_staleness speed-up on grpo-silo processes.
    /// </summary>
    public static readonly IReadOnlyList<string> Suite = ["rollout", "step", "learner", "publish", "longtail"];

    public static readonly IReadOnlyList<string> Benchmarks = [.. Suite, "batching", "logprobs", "memory", "scaleout", "all"];

    public static readonly string Usage =
        $"usage: Grpo.Benchmarks <{string.Join('|', Benchmarks)}> [--quick] [--output <path.json>] [--requests <n> (batching only)] [--client <grpo.dll>] [--layers <n>] [--case <name>] (memory only)\n" +
        "  --quick   the smoke form (demo preset only, few rounds); the Markdown table is written next to the JSON file\n" +
        "  --client  the grpo.dll whose `grpo train` the memory benchmark measures (default: the one built beside the benchmark)\n" +
        "  --layers  the memory benchmark's layer count instead of the shape's; --case runs one case of memory-cases.txt";

    public static BenchmarkArguments Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || !Benchmarks.Contains(args[0]))
            throw new ArgumentException($"unknown or missing benchmark '{(args.Count == 0 ? "" : args[0])}'; choose one of {string.Join(", ", Benchmarks)}.\n{Usage}");
        var quick = false;
        var output = Path.Combine("bench-results", args[0] + ".json");
        var requests = 32;
        string? client = null;
        int? layers = null;
        string? onlyCase = null;
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
                case "--layers":
                    var count = ValueOf(args, ref i);
                    if (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0)
                        throw new ArgumentException($"--layers '{count}' must be a positive whole number.\n{Usage}");
                    layers = parsed;
                    break;
                case "--case":
                    onlyCase = ValueOf(args, ref i);
                    break;
                case "--client":
                    client = ValueOf(args, ref i);
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'.\n{Usage}");
            }
        }
        return new BenchmarkArguments(args[0], quick, output, requests, client) { Layers = layers, Case = onlyCase };
    }

    static string ValueOf(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
        return args[++i];
    }
}
