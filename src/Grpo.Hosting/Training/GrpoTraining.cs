using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Configuration;
using Grpo.Core.Registries;
using Grpo.Core.Rewards;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grpo.Hosting.Training;

/// <summary>
/// The library entry point: trains one run on a silo inside the calling process, with the caller's own components.
/// <code>
/// var result = await GrpoTraining.Create(config)
///     .WithReward("short", (prompt, completion, answer) => completion.Length &lt; 20 ? 1f : 0f)
///     .OnStep(step => Console.WriteLine($"{step.Step}: {step.MeanReward:F3}"))
///     .RunAsync();
/// </code>
/// </summary>
public sealed class GrpoTraining
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    readonly List<Action<GrpoRegistries>> components = [];
    readonly List<string> pluginDirectories = [];
    readonly List<Action<StepMetrics>> stepHandlers = [];
    readonly List<Action<RunStatus>> statusHandlers = [];
    RunConfig config;
    string runId = "run-" + Guid.NewGuid().ToString("N")[..8];
    string checkpointDirectory = Path.Combine(Path.GetTempPath(), "grpo-checkpoints");

    GrpoTraining(RunConfig config) => this.config = config;

    /// <summary>A training of <paramref name="config"/> (the built-in defaults when null).</summary>
    public static GrpoTraining Create(RunConfig? config = null) => new(config ?? new RunConfig());

    /// <summary>
    /// Registers <paramref name="score"/> as the reward <paramref name="name"/> and adds it to the run's rewards with
    /// <paramref name="weight"/>, beside those the configuration already lists (unless it lists this name already).
    /// </summary>
    public GrpoTraining WithReward(string name, Func<string, string, string?, float> score, double weight = 1.0)
    {
        ArgumentNullException.ThrowIfNull(score);
        components.Add(registries => registries.Rewards.Add(name, _ => new FunctionReward(name, score)));
        config = RunConfigComponents.WithReward(config, name, weight);
        return this;
    }

    /// <summary>Registers the reward class <typeparamref name="TReward"/> as <paramref name="name"/> and adds it to the run's rewards.</summary>
    public GrpoTraining WithReward<TReward>(string name, double weight = 1.0)
        where TReward : class, IRewardFunction
    {
        components.Add(registries => registries.Rewards.Add<TReward>(name));
        config = RunConfigComponents.WithReward(config, name, weight);
        return this;
    }

    /// <summary>Registers any components (tasks, losses, estimators, ...) for the configuration to name.</summary>
    public GrpoTraining WithComponents(Action<GrpoRegistries> register)
    {
        ArgumentNullException.ThrowIfNull(register);
        components.Add(register);
        return this;
    }

    /// <summary>Loads the components of a plugin folder, as <c>--plugins</c> does for grpo-silo.</summary>
    public GrpoTraining WithPlugins(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        pluginDirectories.Add(directory);
        return this;
    }

    /// <summary>Changes the configuration, e.g. <c>c =&gt; c with { Steps = 20 }</c>.</summary>
    public GrpoTraining Configure(Func<RunConfig, RunConfig> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        config = change(config) ?? throw new ArgumentException("The configuration change returned null.", nameof(change));
        return this;
    }

    public GrpoTraining WithRunId(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        runId = id;
        return this;
    }

    public GrpoTraining WithCheckpointDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        checkpointDirectory = directory;
        return this;
    }

    /// <summary>Called once for every trained step, in order, on a thread of its own.</summary>
    public GrpoTraining OnStep(Action<StepMetrics> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        stepHandlers.Add(handler);
        return this;
    }

    /// <summary>Called whenever the run's state or phase changes (warm-up, training, evaluation, the end).</summary>
    public GrpoTraining OnStatus(Action<RunStatus> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        statusHandlers.Add(handler);
        return this;
    }

    public RunConfig Config => config;

    /// <summary>
    /// Starts a silo in this process, runs the training to its end and stops the silo. Cancelling stops the run (the
    /// result then says Stopped). A configuration or component the silo refuses ends in the exception that names it.
    /// </summary>
    /// <exception cref="RunConfigException">The configuration is invalid.</exception>
    public async Task<GrpoTrainingResult> RunAsync(CancellationToken cancellationToken = default)
    {
        RunConfigLoader.Validate(config, "the training configuration");
        var (siloPort, gatewayPort) = LocalPorts.FreePair();
        var options = new GrpoSiloOptions
        {
            SiloPort = siloPort,
            GatewayPort = gatewayPort,
            ClusterId = "embedded-" + Guid.NewGuid().ToString("N"),
            CheckpointDirectory = checkpointDirectory,
            PluginDirectories = [.. pluginDirectories],
        };
        using var host = GrpoHost.CreateEmbedded(options, registries => components.ForEach(register => register(registries)));
        await host.StartAsync(cancellationToken);
        try
        {
            var run = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IRunGrain>(runId);
            return await TrainAsync(run, cancellationToken);
        }
        finally
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            await host.StopAsync(timeout.Token);
        }
    }

    async Task<GrpoTrainingResult> TrainAsync(IRunGrain run, CancellationToken cancellationToken)
    {
        var status = await run.StartAsync(config);
        var steps = new List<StepMetrics>();
        var stopAsked = false;
        (RunState, string)? lastReported = null;
        while (true)
        {
            if (cancellationToken.IsCancellationRequested && !stopAsked)
            {
                await run.StopAsync();
                stopAsked = true;
            }

            foreach (var step in await run.GetMetricsAsync(steps.Count == 0 ? 0 : steps[^1].Step + 1))
            {
                steps.Add(step);
                stepHandlers.ForEach(handler => handler(step));
            }

            status = await run.GetStatusAsync();
            if (lastReported != (status.State, status.Phase))
            {
                lastReported = (status.State, status.Phase);
                statusHandlers.ForEach(handler => handler(status));
            }

            if (status.IsFinished) break;
            await Task.Delay(PollInterval, CancellationToken.None);
        }

        return new GrpoTrainingResult(status, steps);
    }
}
