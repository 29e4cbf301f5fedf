using System.Diagnostics;

namespace Grpo.Benchmarks;

/// <summary>One stage of moving <paramref name="Megabytes"/>: its wall time and the CPU time this whole process spent meanwhile.</summary>
internal sealed record StageFigure(double Megabytes, double Seconds, double CpuSeconds)
{
    public double MegabytesPerSecond => Megabytes / Seconds;

    /// <summary>Megabytes per CPU second: what the stage would reach with a core of its own and nothing else running.</summary>
    public double MegabytesPerCpuSecond => Megabytes / CpuSeconds;

    public static async Task<StageFigure> MeasureAsync(double megabytes, Func<Task> stage)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await stage();
        var seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return new StageFigure(megabytes, seconds, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    public override string ToString() => $"in {Seconds:0.000} s = {MegabytesPerSecond:0} MB/s, {CpuSeconds:0.000} CPU s ({MegabytesPerCpuSecond:0} MB per CPU s)";
}
