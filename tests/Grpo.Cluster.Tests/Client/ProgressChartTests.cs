using Grpo.Abstractions.Contracts;
using Grpo.Client.Output;

namespace Grpo.Cluster.Tests.Client;

public sealed class ProgressChartTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void The_chart_is_a_png_of_the_requested_size()
    {
        var path = Path.Combine(folder.Path, "chart.png");

        new ProgressChart(640, 360).Write(path, "demo", FakeSteps.Rising(6), baselineAccuracy: 0.1, finalAccuracy: 0.6);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.True(bytes.Length > 5_000, $"a 640x360 chart with two series should not be {bytes.Length} bytes");
        // IHDR: width and height are big-endian at bytes 16..23.
        Assert.Equal(640, ReadBigEndian(bytes, 16));
        Assert.Equal(360, ReadBigEndian(bytes, 20));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_chart_without_steps_or_accuracy_is_still_written()
    {
        var path = Path.Combine(folder.Path, "empty.png");
        new ProgressChart().Write(path, "demo", [], null, null);
        Assert.Equal(PngSignature, File.ReadAllBytes(path)[..8]);
    }

    [Fact]
    public void Accuracy_points_are_baseline_at_zero_then_evaluated_steps_then_final_at_the_last_step()
    {
        var points = ProgressChart.AccuracyPoints(FakeSteps.Rising(5), baselineAccuracy: 0.1, finalAccuracy: 0.9);

        Assert.Equal([(0, 0.1), (2, 0.3), (4, 0.4), (5, 0.9)], points.Select(p => (p.Step, Math.Round(p.Accuracy, 10))).ToArray());
    }

    [Fact]
    public void Without_baseline_or_final_only_the_evaluated_steps_remain()
    {
        var steps = new[] { new StepMetrics { Step = 3, HeldOutAccuracy = 0.5 }, new StepMetrics { Step = 1 } };
        Assert.Equal([(3.0, 0.5)], ProgressChart.AccuracyPoints(steps, null, null));
    }

    private static int ReadBigEndian(byte[] bytes, int offset) =>
        (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
}
