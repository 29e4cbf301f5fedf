using System.Diagnostics;

namespace Grpo.Benchmarks;

/// <summary>
/// Runs a child process to its end while sampling its peak resident set, VmHWM in /proc/&lt;pid&gt;/status (the kernel's
/// own high-water mark, so sampling late misses nothing but the last moments before exit).
/// </summary>
internal static class ChildPeakMemory
{
    public sealed record Result(int ExitCode, long PeakBytes, double Seconds, string OutputTail);

    public static async Task<Result> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan limit)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var tail = new Queue<string>();
        void Keep(string? line)
        {
            if (line is null) return;
            lock (tail)
            {
                tail.Enqueue(line);
                while (tail.Count > 30) tail.Dequeue();
            }
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start '{fileName}'.");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var status = $"/proc/{process.Id}/status";
        long peak = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, ReadHighWaterMark(status));
            if (clock.Elapsed > limit)
            {
                process.Kill(entireProcessTree: true);
                Keep($"killed after {limit.TotalMinutes:0} minutes");
                break;
            }
            await Task.Delay(100);
        }
        await process.WaitForExitAsync();
        lock (tail) return new Result(process.ExitCode, peak, clock.Elapsed.TotalSeconds, string.Join(Environment.NewLine, tail));
    }

    /// <summary>VmHWM in bytes, or 0 once the process is gone.</summary>
    static long ReadHighWaterMark(string statusPath)
    {
        try
        {
            var line = File.ReadLines(statusPath).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            // "VmHWM:   123456 kB"
            return line is null ? 0 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
