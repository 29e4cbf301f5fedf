using System.Globalization;
using Grpo.Abstractions.Configuration;
using Grpo.Hosting.Training;

// Trains a built-in model on data/reverse.csv (columns word, reversed): "abc=" should be answered "cba". A built-in
// model learns the characters of whatever task it is given; a model directory (model_path) brings its own tokenizer.
// Usage: dotnet run --project samples/CustomTask -- [steps] [csv file]
var steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
var csv = args.Length > 1 ? args[1] : Path.Combine(AppContext.BaseDirectory, "data", "reverse.csv");
var config = new RunConfig
{
    Steps = steps,
    PromptsPerStep = 16,
    Task = new ComponentSpec("csv")
        .WithParameter("path", Path.GetFullPath(csv))
        .WithParameter("prompt_column", "word")
        .WithParameter("answer_column", "reversed")
        .WithParameter("answer_check", "exact"),
    // answer_check exact: a completion is correct when it is the answer; the default reward, answer, is that check.
    // The csv task keeps every other column (here: length) as the example's metadata, which rewards can read.
    HeldOutSize = 30,
    MaxCompletionTokens = 6,
    WarmupSftSteps = 300,
    EvalEvery = 0,
};

var result = await GrpoTraining.Create(config)
    .OnStatus(status => Console.WriteLine($"[{status.State}] {status.Phase}"))
    .OnStep(step => Console.WriteLine($"step {step.Step,3}  reward {step.MeanReward:F3}  zero-std {step.FractionZeroStd:F2}"))
    .RunAsync();

Console.WriteLine($"run {result.Status.RunId}: {result.Status.State}, held-out accuracy {result.Status.BaselineAccuracy:P1} -> {result.Status.FinalAccuracy:P1}");
return result.Completed ? 0 : 1;
