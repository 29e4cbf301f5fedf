using System.Globalization;

namespace Grpo.Benchmarks;

/// <summary>
/// Peak resident set above a baseline, sampled from /proc/self/status VmRSS on a background thread while one case runs.
/// VmHWM cannot be reset between cases in one process; libtorch returns large CPU buffers to the system when freed, so
/// the resident set rises and falls with the tensors a case holds.
/// </summary>
internal sealed class ResidentSetSampler : IDisposable
{
    readonly long baselineKb = ResidentKb();
    readonly Thread thread;
    volatile bool stopping;
    long peakKb;

    public ResidentSetSampler()
    {
        peakKb = baselineKb;
        thread = new Thread(Sample) { IsBackground = true, Name = nameof(ResidentSetSampler) };
        thread.Start();
    }

    /// <summary>Stops sampling and returns the peak resident set above the baseline taken at construction, in MB.</summary>
    public double StopAndPeakAboveBaselineMb()
    {
        stopping = true;
        thread.Join();
        peakKb = Math.Max(peakKb, ResidentKb());
        return (peakKb - baselineKb) / 1024.0;
    }

    public void Dispose()
    {
        stopping = true;
        thread.Join();
    }

    void Sample()
    {
        while (!stopping)
        {
            var now = ResidentKb();
            if (now > Interlocked.Read(ref peakKb)) Interlocked.Exchange(ref peakKb, now);
            Thread.Sleep(1);
        }
    }

    static long ResidentKb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var number = line["VmRSS:".Length..].Trim().Split(' ')[0];
            return long.Parse(number, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException("/proc/self/status has no VmRSS line; peak memory sampling needs Linux");
    }
}
