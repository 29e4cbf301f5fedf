using System.Globalization;
using Grpo.Abstractions.Configuration;
using Grpo.Hosting.Training;
using Grpo.Samples.CustomReward;

// Trains the built-in arithmetic task with two rewards of this program's own beside the task's answer check:
// a class (ShortAnswerReward) and a lambda. Usage: dotnet run --project samples/CustomReward -- [steps]
var steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
var config = new RunConfig
{
    Steps = steps,
    PromptsPerStep = 16,
    Task = new ComponentSpec("arithmetic").WithParameter("max_operand", 19),
    HeldOutSize = 40,
    WarmupSftSteps = 300,
    EvalEvery = 0,
};

var result = await GrpoTraining.Create(config)
    .WithReward<ShortAnswerReward>("short_answer", weight: 0.2)
    .WithReward("even_answer", (prompt, completion, answer) => int.TryParse(completion.Trim(), out var n) && n % 2 == 0 ? 1f : 0f, weight: 0.1)
    .OnStatus(status => Console.WriteLine($"[{status.State}] {status.Phase}"))
    .OnStep(step => Console.WriteLine(
        $"step {step.Step,3}  reward {step.MeanReward:F3}  " +
        string.Join("  ", step.RewardComponents.Select(c => $"{c.Key} {c.Value:F3}"))))
    .RunAsync();

Console.WriteLine($"run {result.Status.RunId}: {result.Status.State}, accuracy {result.Status.BaselineAccuracy:P1} -> {result.Status.FinalAccuracy:P1}");
return result.Completed ? 0 : 1;
