using System.Text.Json;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Client;
using Grpo.Client.Output;
using Grpo.Client.Progress;
using Grpo.Client.Train;
using Grpo.Client.Watch;
using Spectre.Console;

namespace Grpo.Cluster.Tests.Client;

/// <summary>samples.jsonl and --samples: what the client does with the prompts and completions a run keeps.</summary>
public sealed class SamplesOutputTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static SampledGroup Sample(long step, int prompt) => new(step, prompt, $"{step}+{prompt}=", $"{step + prompt}",
    [
        new SampledCompletion($"{step + prompt}", 1f, 0.935f, 2, false, step),
        new SampledCompletion("1\n2", 0f, -0.935f, 3, true, step),
    ]);

    [Fact]
    public void Samples_are_written_as_json_lines_that_read_back_as_the_same_records()
    {
        var writer = new RunOutputWriter(folder.Path);
        SampledGroup[] samples = [Sample(0, 0), Sample(0, 1), Sample(5, 0)];

        writer.WriteSamples(samples[..2]);
        writer.WriteSamples([]);
        writer.WriteSamples(samples[2..]);

        var lines = File.ReadAllLines(writer.SamplesPath);
        Assert.Equal(3, lines.Length);
        var read = lines.Select(line => JsonSerializer.Deserialize<SampledGroup>(line, ClientJson.Line)!).ToArray();
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.Equal(samples[i].Step, read[i].Step);
            Assert.Equal(samples[i].Prompt, read[i].Prompt);
            Assert.Equal(samples[i].Completions, read[i].Completions);
        }

        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("0+0=", first.RootElement.GetProperty("prompt").GetString());
        Assert.Contains("\"prompt\":\"0+0=\"", lines[0]); // readable: "+" is not escaped
        Assert.Equal(-0.935f, first.RootElement.GetProperty("completions")[1].GetProperty("advantage").GetSingle());
    }

    [Fact]
    public void Sample_lines_show_prompt_answer_rewards_advantages_and_flatten_line_breaks()
    {
        Assert.Equal(
            [
                "sample step 5 prompt 1: \"5+1=\" (answer 6)",
                "  reward 1.000  adv +0.935  \"6\"",
                "  reward 0.000  adv -0.935  \"1\\n2\" (cut)",
            ],
            ProgressText.SampleLines(Sample(5, 1)));
        Assert.Equal(10, ProgressText.OneLine(new string('x', 50), limit: 10).Length);
        Assert.EndsWith("…", ProgressText.OneLine(new string('x', 50), limit: 10));
    }

    [Fact]
    public async Task Watching_with_samples_writes_samples_jsonl_and_prints_each_sample_once()
    {
        var run = new ScriptedRunGrain("s", totalSteps: 6) { Samples = [Sample(0, 0), Sample(0, 1), Sample(4, 0)] };
        var output = new StringWriter();
        var watcher = new RunWatcher(new PlainProgressView(output), output, new StringWriter(), new TrainSettings { PollInterval = TimeSpan.Zero });
        var target = new WatchTarget("s", Path.Combine(folder.Path, "out"), new RunConfig { Steps = 6 }, ShowSamples: true);

        var code = await watcher.WatchAsync(target, run, CancellationToken.None);

        Assert.Equal(ExitCodes.Success, code);
        var lines = File.ReadAllLines(Path.Combine(target.OutputDirectory, "samples.jsonl"));
        Assert.Equal([(0L, 0), (0L, 1), (4L, 0)], lines.Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            return (document.RootElement.GetProperty("step").GetInt64(), document.RootElement.GetProperty("promptIndex").GetInt32());
        }));
        var text = output.ToString();
        Assert.Equal(1, CountOf(text, "sample step 0 prompt 0:"));
        Assert.Equal(1, CountOf(text, "sample step 0 prompt 1:"));
        Assert.Equal(1, CountOf(text, "sample step 4 prompt 0:"));
        Assert.Contains($"samples            {Path.Combine(target.OutputDirectory, "samples.jsonl")}", text);
    }

    [Fact]
    public async Task Without_samples_shown_they_are_still_written_but_not_printed()
    {
        var run = new ScriptedRunGrain("s", totalSteps: 3) { Samples = [Sample(1, 0)] };
        var output = new StringWriter();
        var watcher = new RunWatcher(new PlainProgressView(output), output, new StringWriter(), new TrainSettings { PollInterval = TimeSpan.Zero });
        var target = new WatchTarget("s", Path.Combine(folder.Path, "out"), new RunConfig { Steps = 3 });

        await watcher.WatchAsync(target, run, CancellationToken.None);

        Assert.Single(File.ReadAllLines(Path.Combine(target.OutputDirectory, "samples.jsonl")));
        Assert.DoesNotContain("sample step", output.ToString());
    }

    [Fact]
    public void The_live_table_shows_the_newest_sample()
    {
        var writer = new StringWriter();
        var console = PlainConsole.Create(writer);
        console.Profile.Width = 160;
        var status = new RunStatus { RunId = "r", State = RunState.Training, Step = 5, TotalSteps = 10 };

        console.Write(LiveProgressView.Render(new RunProgress(status, null, null, TimeSpan.Zero, Sample(4, 0))));

        Assert.Contains("sample step 4 prompt 0: \"4+0=\" (answer 4)", writer.ToString());
        Assert.Contains("adv -0.935", writer.ToString());
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
