using System.Text.Json;
using Grpo.Abstractions.Contracts;
using Grpo.Client.Output;

namespace Grpo.Cluster.Tests.Client;

/// <summary>metrics.jsonl and samples.jsonl hold each step (each step's prompt) once, however often the same steps are written to them.</summary>
public sealed class IdempotentOutputTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string MetricsPath => Path.Combine(folder.Path, "metrics.jsonl");

    [Fact]
    public void A_second_writer_on_the_same_folder_continues_after_the_steps_already_there()
    {
        var steps = FakeSteps.Rising(5);
        new RunOutputWriter(folder.Path).WriteMetrics(steps[..3]);
        var firstThree = File.ReadAllLines(MetricsPath);

        var again = new RunOutputWriter(folder.Path);
        again.WriteMetrics(steps);
        again.WriteMetrics(steps[3..]);

        var lines = File.ReadAllLines(MetricsPath);
        Assert.Equal([1L, 2, 3, 4, 5], StepsOf(lines));
        Assert.Equal(firstThree, lines[..3]);
    }

    [Fact]
    public void A_file_with_repeated_steps_is_rewritten_with_each_step_once_keeping_the_newest_line()
    {
        var steps = FakeSteps.Rising(3);
        var writer = new RunOutputWriter(Path.Combine(folder.Path, "source"));
        writer.WriteMetrics(steps);
        var source = File.ReadAllLines(writer.MetricsPath);
        // What an earlier client left after watching the run twice: every step, then steps 2 and 3 again.
        File.WriteAllLines(MetricsPath, [source[0], source[1], source[2], source[1], source[2]]);

        new RunOutputWriter(folder.Path).WriteMetrics(steps);

        Assert.Equal(source, File.ReadAllLines(MetricsPath));
        Assert.False(File.Exists(MetricsPath[..^".jsonl".Length] + ".tmp.jsonl"));
    }

    [Fact]
    public void A_step_that_arrives_with_other_values_replaces_its_line_in_place()
    {
        var steps = FakeSteps.Rising(3);
        var writer = new RunOutputWriter(folder.Path);
        writer.WriteMetrics(steps);

        // A run resumed from an older checkpoint trains step 2 again.
        var retrained = steps[1] with { MeanReward = 0.9f };
        writer.WriteMetrics([retrained, steps[2]]);

        var lines = File.ReadAllLines(MetricsPath);
        Assert.Equal([1L, 2, 3], StepsOf(lines));
        Assert.Equal(0.9f, JsonDocument.Parse(lines[1]).RootElement.GetProperty("meanReward").GetSingle());
        Assert.Equal(steps[0].MeanReward, JsonDocument.Parse(lines[0]).RootElement.GetProperty("meanReward").GetSingle());
    }

    [Fact]
    public void A_last_line_cut_short_by_a_crash_is_dropped_and_its_step_written_whole()
    {
        var steps = FakeSteps.Rising(2);
        var writer = new RunOutputWriter(Path.Combine(folder.Path, "source"));
        writer.WriteMetrics(steps);
        var whole = File.ReadAllText(writer.MetricsPath);
        File.WriteAllText(MetricsPath, whole[..(whole.Length - 20)]);

        new RunOutputWriter(folder.Path).WriteMetrics(steps);

        Assert.Equal(whole, File.ReadAllText(MetricsPath));
    }

    [Theory]
    [InlineData("{\"step\": 1}\nnot json\n{\"step\": 3}\n", 2, "not a JSON object")]
    [InlineData("{\"step\": 1}\n{\"meanReward\": 0.5}\n", 2, "the field \"step\" is missing")]
    [InlineData("{\"step\": \"two\"}\n", 1, "the field \"step\" is \"two\", not a whole number")]
    [InlineData("{\"step\": 1}\n{\"step\": 2}\n{\"step\": -3}\n", 3, "the field \"step\" is -3, not a whole number")]
    [InlineData("[1, 2]\n", 1, "expected a JSON object, found Array")]
    public void A_line_that_cannot_be_read_is_named_by_file_line_and_field_and_the_file_is_left_as_it_is(string contents, int line, string problem)
    {
        File.WriteAllText(MetricsPath, contents);

        var failure = Assert.Throws<OutputFileException>(() => new RunOutputWriter(folder.Path));

        Assert.StartsWith($"{MetricsPath} line {line}: {problem}", failure.Message);
        Assert.Contains("the file is left as it is", failure.Message);
        Assert.Equal(contents, File.ReadAllText(MetricsPath));
    }

    [Fact]
    public void Samples_written_again_add_no_line_and_a_sample_line_without_its_prompt_index_is_named()
    {
        SampledGroup[] samples = [Sample(0, 0), Sample(0, 1), Sample(5, 0)];
        new RunOutputWriter(folder.Path).WriteSamples(samples[..2]);

        var again = new RunOutputWriter(folder.Path);
        again.WriteSamples(samples);
        again.WriteSamples(samples);

        var keys = File.ReadAllLines(again.SamplesPath).Select(line => JsonDocument.Parse(line).RootElement)
            .Select(root => (root.GetProperty("step").GetInt64(), root.GetProperty("promptIndex").GetInt32()));
        Assert.Equal([(0L, 0), (0L, 1), (5L, 0)], keys);

        File.AppendAllText(again.SamplesPath, "{\"step\": 9, \"prompt\": \"9+0=\"}\n");
        var failure = Assert.Throws<OutputFileException>(() => new RunOutputWriter(folder.Path));
        Assert.StartsWith($"{again.SamplesPath} line 4: the field \"promptIndex\" is missing", failure.Message);
    }

    [Fact]
    public void A_writer_for_a_new_run_keeps_an_earlier_runs_files_under_another_name_and_starts_its_own()
    {
        var old = FakeSteps.Rising(4);
        new RunOutputWriter(folder.Path).WriteMetrics(old);
        var oldText = File.ReadAllText(MetricsPath);

        var fresh = new RunOutputWriter(folder.Path, continueExisting: false);
        fresh.WriteMetrics(FakeSteps.Rising(2));

        Assert.Equal([1L, 2], StepsOf(File.ReadAllLines(MetricsPath)));
        var kept = Assert.Single(Directory.GetFiles(folder.Path, "metrics.before-*.jsonl"));
        Assert.Equal(oldText, File.ReadAllText(kept));
    }

    private static SampledGroup Sample(long step, int prompt) =>
        new(step, prompt, $"{step}+{prompt}=", $"{step + prompt}", [new SampledCompletion($"{step + prompt}", 1f, 0.5f, 2, false, step)]);

    private static long[] StepsOf(IEnumerable<string> lines) =>
        [.. lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64())];
}
