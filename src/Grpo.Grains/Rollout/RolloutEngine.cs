using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Core.Generation;
using Grpo.Core.Runtime;
using Grpo.Grains.Runs;
using Grpo.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace Grpo.Grains.Rollout;

/// <summary>
/// The silo's rollout engine (one per silo): completion grains submit prompts and the engine decodes them with continuous
/// batching (<see cref="ContinuousBatcher"/>, <c>rollout_max_batch</c> slots) on its torch thread, handing each caller its
/// completion the moment it ends. When nothing is decoding, the engine gathers the requests of the run of the oldest
/// request that arrive less than <c>rollout_batch_wait_ms</c> apart (up to <c>rollout_max_batch</c>), makes sure the
/// run's model holds at least the newest policy version any of them asks for (pulling weights off the torch thread and
/// swapping them in on it) and starts decoding them. Between decode iterations it admits waiting requests into free
/// slots, a group of identical prompts at a time (whole, so the group shares one prefill), as long as the oldest waiting
/// request is one the rows decoding now can be joined by: the same run and configuration, a version and lineage the
/// loaded weights already satisfy, and a prompt that fits a slot. Such requests of any step of the run join at once. The
/// oldest waiting request being another run's, needing a newer version or another lineage, stops admission: the slots
/// drain, and the next round serves it (weights are only ever swapped while nothing decodes, so no row sees two versions).
/// With <c>partial_rollouts</c> (async runs only) the oldest waiting request needing a newer version of the same lineage
/// does not stop the rows: the engine pulls that version in the background while they decode, loads it between decode
/// iterations and the rows go on with it (<see cref="ContinuousBatcher.WeightsChanged"/>), each token tagged with the
/// version that sampled it; the waiting requests then join.
/// Every model lives on <see cref="RolloutEngineOptions.Device"/>.
/// </summary>
public sealed class RolloutEngine : IAsyncDisposable, IDisposable
{
    readonly RunAssetsCache assetsCache;
    readonly RolloutEngineOptions options;
    readonly WeightPuller puller;
    readonly TorchWorker worker;
    readonly Channel<PendingRollout> incoming = Channel.CreateUnbounded<PendingRollout>(new UnboundedChannelOptions { SingleReader = true });
    readonly CancellationTokenSource stopping = new();
    readonly Task loop;

    // Touched by the loop only.
    readonly RolloutQueue queue = new();
    readonly Dictionary<string, RunPolicy> policies = new(StringComparer.Ordinal);
    ServingRun? serving;

    /// <summary>The longest a batch waits for more requests, in units of <c>rollout_batch_wait_ms</c>.</summary>
    internal const int MaxGatherWindows = 20;

    readonly ConcurrentDictionary<string, long> loadedVersions = new(StringComparer.Ordinal);
    long arrivals;
    int queueDepth;
    int busySlots;
    int slotCapacity;
    long admissions;
    long sequencesGenerated;
    long tokensGenerated;
    long weightPulls;
    long promptsPrefilled;
    long joinedWhileDecoding;
    long switchesWhileDecoding;
    long rowsSwitched;
    int disposed;

    public RolloutEngine(IWeightSource weightSource, RunAssetsCache assets, RolloutEngineOptions options, ILogger<RolloutEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(weightSource);
        ArgumentNullException.ThrowIfNull(assets);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        assetsCache = assets;
        this.options = options;
        puller = new WeightPuller(weightSource, options.PullParallelism, logger);
        worker = new TorchWorker(options.WorkerName);
        loop = Task.Run(RunLoopAsync);
        GrpoMetrics.Track(this, options.WorkerName);
    }

    /// <inheritdoc cref="GenerateAsync(string, RunConfig, int[], long, LearnerLineage, CompletionCoordinates?, CancellationToken)"/>
    public Task<RolloutOutput> GenerateAsync(string runId, RunConfig config, int[] promptTokens, long minPolicyVersion, CancellationToken cancellationToken) =>
        GenerateAsync(runId, config, promptTokens, minPolicyVersion, LearnerLineage.Any, null, cancellationToken);

    /// <inheritdoc cref="GenerateAsync(string, RunConfig, int[], long, LearnerLineage, CompletionCoordinates?, CancellationToken)"/>
    public Task<RolloutOutput> GenerateAsync(
        string runId, RunConfig config, int[] promptTokens, long minPolicyVersion, LearnerLineage lineage, CancellationToken cancellationToken) =>
        GenerateAsync(runId, config, promptTokens, minPolicyVersion, lineage, null, cancellationToken);

    /// <summary>
    /// Generates one completion of <paramref name="promptTokens"/> with the run's policy at version
    /// <paramref name="minPolicyVersion"/> or newer, from weights of learner lineage <paramref name="lineage"/>
    /// (<see cref="LearnerLineage.Any"/>: any). Returns at once; the task completes when the request's batch is done. A request the learner cannot serve (a
    /// version it has not published within <see cref="RolloutEngineOptions.PolicyWaitLimit"/>, or another lineage) fails
    /// with <see cref="PolicyUnavailableException"/>. The completion samples from its own stream, keyed by the run's seed and
    /// <paramref name="coordinates"/>, so it does not depend on this silo or the rest of its batch; without coordinates the
    /// stream is keyed by this silo's salt and the request's arrival instead.
    /// </summary>
    public Task<RolloutOutput> GenerateAsync(
        string runId, RunConfig config, int[] promptTokens, long minPolicyVersion, LearnerLineage lineage, CompletionCoordinates? coordinates,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(promptTokens);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (minPolicyVersion < 0)
            throw new ArgumentOutOfRangeException(nameof(minPolicyVersion), minPolicyVersion, $"run '{runId}': minPolicyVersion must be >= 0");
        // Checked here, per request: one bad prompt inside a batch would otherwise fail every request of the batch.
        CheckPrompt(runId, assetsCache.Get(runId, config), promptTokens);
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<RolloutOutput>(cancellationToken);

        var arrival = Interlocked.Increment(ref arrivals);
        var key = SampleKeyFor(config, coordinates, arrival);
        var request = new PendingRollout(runId, config, [.. promptTokens], minPolicyVersion, lineage, key, arrival, cancellationToken);
        Interlocked.Increment(ref queueDepth);
        if (!incoming.Writer.TryWrite(request))
        {
            Interlocked.Decrement(ref queueDepth);
            request.Fail(new ObjectDisposedException(nameof(RolloutEngine), "the rollout engine has stopped."));
        }
        return request.Task;
    }

    public RolloutStats Stats => new(
        Volatile.Read(ref queueDepth),
        Interlocked.Read(ref admissions),
        Interlocked.Read(ref sequencesGenerated),
        Interlocked.Read(ref tokensGenerated),
        Interlocked.Read(ref weightPulls),
        Interlocked.Read(ref promptsPrefilled),
        new Dictionary<string, long>(loadedVersions, StringComparer.Ordinal))
    {
        JoinedWhileDecoding = Interlocked.Read(ref joinedWhileDecoding),
        SwitchesWhileDecoding = Interlocked.Read(ref switchesWhileDecoding),
        RowsSwitched = Interlocked.Read(ref rowsSwitched),
        BusySlots = Volatile.Read(ref busySlots),
        SlotCapacity = Volatile.Read(ref slotCapacity),
    };

    /// <summary>The policy version loaded for the run on this silo, or null when none is loaded yet.</summary>
    public long? LoadedVersion(string runId) => loadedVersions.TryGetValue(runId, out var version) ? version : null;

    async Task RunLoopAsync()
    {
        var token = stopping.Token;
        try
        {
            while (true)
            {
                if (serving is null && queue.Count == 0 && !await incoming.Reader.WaitToReadAsync(token).ConfigureAwait(false)) break;
                Drain();
                if (serving is null)
                {
                    if (queue.Oldest() is not { } oldest) continue;
                    var runId = oldest.RunId;
                    var config = oldest.Config;
                    var maxBatch = Math.Max(1, config.RolloutMaxBatch);
                    await GatherAsync(runId, maxBatch, config.GroupSize, TimeSpan.FromMilliseconds(Math.Max(0, config.RolloutBatchWaitMs)), token).ConfigureAwait(false);

                    var batch = queue.Take(runId, maxBatch, out var removed);
                    Interlocked.Add(ref queueDepth, -removed);
                    if (batch.Count == 0) continue;
                    // The batch holds its slots from now on, also while its weights are still being pulled.
                    ReportSlots(batch.Count, maxBatch);
                    serving = await StartServingAsync(runId, config, batch, token).ConfigureAwait(false);
                }
                else
                {
                    await AdmitWaitingAsync(serving, token).ConfigureAwait(false);
                }
                if (serving is not null) await DecodeStepAsync(serving, token).ConfigureAwait(false);
                ReportSlots(serving?.InFlight.Count ?? 0, serving?.Batcher.Slots ?? Volatile.Read(ref slotCapacity));
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            incoming.Writer.TryComplete();
            var stopped = new ObjectDisposedException(nameof(RolloutEngine), "the rollout engine stopped before this request was served.");
            while (incoming.Reader.TryRead(out var request)) request.Fail(stopped);
            foreach (var request in queue.Clear()) request.Fail(stopped);
            if (serving is not null)
            {
                var interrupted = new ObjectDisposedException(nameof(RolloutEngine), "the rollout engine stopped while serving this request.");
                foreach (var request in serving.InFlight) request.Fail(interrupted);
                await worker.RunAsync(serving.Policy.DiscardBatcher).ConfigureAwait(false);
                serving = null;
            }
            Volatile.Write(ref queueDepth, 0);
            Volatile.Write(ref busySlots, 0);
        }
    }

    /// <summary>
    /// Publishes the slots taken (requests of the current batch not yet finished) and the batch's size for the busy-slots
    /// gauge; the capacity stays that of the last run served while the engine idles, so the busy fraction reads 0, not 0/0.
    /// </summary>
    void ReportSlots(int busy, int capacity)
    {
        Volatile.Write(ref busySlots, busy);
        Volatile.Write(ref slotCapacity, capacity);
    }

    void Drain()
    {
        while (incoming.Reader.TryRead(out var request)) queue.Add(request);
    }

    /// <summary>
    /// Waits for more requests of the run until the batch is full, every waiting group is whole, or none has arrived for
    /// <paramref name="window"/>: a step's requests come in a burst (every completion grain of the step activates at about
    /// the same time), so the batch starts when the burst is over rather than a fixed time after its first request, which
    /// would split one burst into several smaller and, per row, slower batches. Once each waiting prompt has all its
    /// group's samples, waiting longer would only idle: a group that comes later joins the decoding rows between two
    /// iterations and still shares one prefill. A steady trickle cannot hold a batch back for longer than
    /// <see cref="MaxGatherWindows"/> windows.
    /// </summary>
    async Task GatherAsync(string runId, int maxBatch, int groupSize, TimeSpan window, CancellationToken token)
    {
        if (window <= TimeSpan.Zero) return;
        var start = Stopwatch.GetTimestamp();
        var limit = window * MaxGatherWindows;
        while (queue.CountFor(runId) < maxBatch && !queue.HoldsWholeGroups(runId, groupSize))
        {
            var remaining = limit - Stopwatch.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero) return;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(remaining < window ? remaining : window);
            try
            {
                if (!await incoming.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false)) return;
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                return;
            }
            Drain();
        }
    }

    /// <summary>
    /// Loads the policy <paramref name="batch"/> needs (pulling a newer version or another lineage first), fails the requests
    /// it still cannot serve, and starts decoding the others; null when none is left to decode.
    /// </summary>
    async Task<ServingRun?> StartServingAsync(string runId, RunConfig config, List<PendingRollout> batch, CancellationToken token)
    {
        RunPolicy? policy = null;
        try
        {
            var assets = assetsCache.Get(runId, config);
            policy = await PolicyForAsync(runId, config, assets).ConfigureAwait(false);
            var needed = batch.Max(request => request.MinPolicyVersion);
            if (policy.Version < needed || batch.Any(request => !request.Lineage.Accepts(policy.Lineage)))
            {
                await PullAndLoadAsync(runId, policy, needed, token).ConfigureAwait(false);
                batch = Servable(runId, batch, policy);
                if (batch.Count == 0) return null;
            }

            var longestPrompt = batch.Max(request => request.PromptTokens.Length);
            var started = await worker.RunAsync(() => new ServingRun(runId, config, policy, policy.Batcher(config, longestPrompt))).ConfigureAwait(false);
            await EnqueueAsync(started, batch).ConfigureAwait(false);
            return started;
        }
        catch (Exception error)
        {
            var stopped = token.IsCancellationRequested;
            var reported = stopped ? new ObjectDisposedException(nameof(RolloutEngine), "the rollout engine stopped while serving this request.") : error;
            foreach (var request in batch) request.Fail(reported);
            if (policy is not null) await worker.RunAsync(policy.DiscardBatcher).ConfigureAwait(false);
            if (stopped) throw new OperationCanceledException(token);
            return null;
        }
    }

    /// <summary>
    /// Admits waiting groups into free slots while the oldest waiting request can join the rows decoding now; with partial
    /// rollouts, an oldest request that needs a newer version starts its pull (see <see cref="SwitchWeightsAsync"/>).
    /// </summary>
    async Task AdmitWaitingAsync(ServingRun run, CancellationToken token)
    {
        StartSwitchIfWanted(run, token);
        var admitted = new List<PendingRollout>();
        while (queue.Oldest() is { } oldest && run.CanServe(oldest))
        {
            var free = run.FreeSlots - admitted.Count;
            var group = queue.TakeGroup(run.RunId, requests => requests.Count <= free && requests.All(run.CanServe), out var removed);
            Interlocked.Add(ref queueDepth, -removed);
            if (group.Count == 0 && removed == 0) break;
            admitted.AddRange(group);
        }
        StartSwitchIfWanted(run, token);
        if (admitted.Count == 0) return;
        await EnqueueAsync(run, admitted).ConfigureAwait(false);
        Interlocked.Add(ref joinedWhileDecoding, admitted.Count);
    }

    /// <summary>
    /// Starts pulling the version the oldest waiting request needs when the rows decoding may switch to it: the pull runs
    /// off the torch thread while they go on decoding, so a version the learner has not published yet holds nothing up.
    /// One pull per needed version and round: one that falls short is left to the next round, which reports it.
    /// </summary>
    void StartSwitchIfWanted(ServingRun run, CancellationToken token)
    {
        if (run.Switch is not null || queue.Oldest() is not { } oldest || !run.WantsNewerWeights(oldest) || oldest.MinPolicyVersion <= run.SwitchAttempted)
            return;
        run.SwitchAttempted = oldest.MinPolicyVersion;
        run.Switch = (puller.PullAsync(run.RunId, oldest.MinPolicyVersion, options.PolicyWaitLimit, (run.Policy.Version, run.Policy.Lineage), token),
            oldest.MinPolicyVersion);
    }

    /// <summary>
    /// Loads the version the round's pending pull brought, if it is newer and of the same lineage, and returns whether rows
    /// were decoding: they go on with the new weights from their next token. A failed pull is dropped here: the requests
    /// that wanted it keep waiting, and the next round pulls again and fails them with the reason if it still cannot.
    /// </summary>
    async Task<bool> SwitchWeightsAsync(ServingRun run, CancellationToken token)
    {
        var (pull, _) = run.Switch ?? throw new InvalidOperationException("no pull is pending");
        run.Switch = null;
        PulledWeights? pulled;
        try
        {
            pulled = await pull.ConfigureAwait(false);
        }
        catch (Exception) when (!token.IsCancellationRequested)
        {
            return false;
        }
        if (pulled is null || pulled.Lineage != run.Policy.Lineage || pulled.Version <= run.Policy.Version) return false;
        var decoding = !run.Batcher.IsIdle;
        var refilledBefore = run.Batcher.RowsRefilled;
        await worker.RunAsync(() => run.Policy.Load(pulled.Image, pulled.Version, pulled.Lineage, $"run '{run.RunId}' policy version {pulled.Version}"))
            .ConfigureAwait(false);
        loadedVersions[run.RunId] = pulled.Version;
        Interlocked.Increment(ref weightPulls);
        if (!decoding) return false;
        Interlocked.Increment(ref switchesWhileDecoding);
        Interlocked.Add(ref rowsSwitched, run.Batcher.RowsRefilled - refilledBefore);
        return true;
    }

    async Task EnqueueAsync(ServingRun run, IReadOnlyList<PendingRollout> requests)
    {
        var decodes = run.Admit(requests);
        await worker.RunAsync(() =>
        {
            foreach (var decode in decodes) run.Batcher.Enqueue(decode);
        }).ConfigureAwait(false);
        Interlocked.Increment(ref admissions);
        GrpoMetrics.RecordAdmission(options.WorkerName, requests.Select(request => request.ArrivedAt));
    }

    /// <summary>
    /// Decode iterations until the loop has something to do: a request arrived, a switch's pull landed, nothing decodes
    /// any more, or a row finished while requests wait for a free slot. Rows that finish otherwise are answered from the
    /// torch thread as they finish (their callers continue on the thread pool): a hop back to the loop costs two thread
    /// switches, a lot next to a small model's iteration, and a long-tailed round has a finished row in most of them.
    /// Once nothing decodes, the round ends.
    /// </summary>
    async Task DecodeStepAsync(ServingRun run, CancellationToken token)
    {
        try
        {
            // Back to the loop at once after a switch: the requests that waited for the new version can join now.
            if (run.Switch is { Pull.IsCompleted: true } && await SwitchWeightsAsync(run, token).ConfigureAwait(false)) return;
            // Read here, on the loop (the queue is the loop's alone); arrivals after this show up in the counter.
            var waiting = queue.Count > 0;
            var idle = await worker.RunAsync(() =>
            {
                var counted = run.Batcher.PromptsPrefilled;
                var arrived = Interlocked.Read(ref arrivals);
                bool slotFreed;
                do
                {
                    var finished = run.Batcher.Step();
                    options.AfterDecodeIteration?.Invoke(run.Switch?.Pull);
                    slotFreed = finished.Count > 0;
                    // Counted before the callers hear back, so that the stats a caller reads after its answer include its prefill.
                    Interlocked.Add(ref promptsPrefilled, run.Batcher.PromptsPrefilled - counted);
                    counted = run.Batcher.PromptsPrefilled;
                    Answer(run, finished);
                }
                while (!(slotFreed && waiting) && !run.Batcher.IsIdle && Interlocked.Read(ref arrivals) == arrived &&
                       run.Switch is not { Pull.IsCompleted: true } && !token.IsCancellationRequested);
                return run.Batcher.IsIdle;
            }).ConfigureAwait(false);

            if (!idle) return;
            // The round is over: a version pulled for the requests still waiting is loaded for the next one.
            if (run.Switch is not null) await SwitchWeightsAsync(run, token).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            var stopped = token.IsCancellationRequested;
            var reported = stopped ? new ObjectDisposedException(nameof(RolloutEngine), "the rollout engine stopped while serving this request.") : error;
            foreach (var request in run.InFlight) request.Fail(reported);
            // A pull still under way is abandoned: its failure, if any, is observed here rather than lost.
            if (run.Switch is { } abandoned) _ = abandoned.Pull.ContinueWith(static pull => pull.Exception, TaskScheduler.Default);
            run.Switch = null;
            if (stopped) throw new OperationCanceledException(token);
            // The failed step left rows behind: the next round starts from a fresh batcher.
            await worker.RunAsync(run.Policy.DiscardBatcher).ConfigureAwait(false);
        }
        // An idle batcher stays with the policy for the next round.
        serving = null;
    }

    /// <summary>Hands each finished row's completion to its caller. Runs while the loop awaits the torch thread, so the run's state is not shared.</summary>
    void Answer(ServingRun run, IReadOnlyList<FinishedDecode> finished)
    {
        foreach (var (decode, sequence) in finished)
        {
            Interlocked.Increment(ref sequencesGenerated);
            Interlocked.Add(ref tokensGenerated, sequence.Tokens.Length);
            // A completion's version is its oldest token's: its staleness counts from there.
            var oldest = sequence.Versions.Length > 0 ? sequence.Versions[0].Version : run.Policy.Version;
            run.Finish(decode).Complete(new RolloutOutput(sequence.Tokens, sequence.LogProbs, sequence.FinishReason, oldest, run.Policy.Lineage)
            {
                Versions = sequence.Versions,
            });
        }
    }

    /// <summary>
    /// Pulls the newest version (at least <paramref name="needed"/>) into <paramref name="policy"/>. A method of its own so
    /// that the pulled image, a full copy of the policy, is garbage as soon as it is in the model: a local of the batch's
    /// method would live in its state machine until the batch's generation is over.
    /// </summary>
    async Task PullAndLoadAsync(string runId, RunPolicy policy, long needed, CancellationToken token)
    {
        // The pull runs here, off the torch thread, so other work queued on it is never held up by the network.
        var pulled = await puller.PullAsync(runId, needed, options.PolicyWaitLimit, (policy.Version, policy.Lineage), token).ConfigureAwait(false);
        if (pulled is null) return;
        await worker.RunAsync(() => policy.Load(pulled.Image, pulled.Version, pulled.Lineage, $"run '{runId}' policy version {pulled.Version}"))
            .ConfigureAwait(false);
        loadedVersions[runId] = pulled.Version;
        Interlocked.Increment(ref weightPulls);
    }

    /// <summary>
    /// The requests the loaded policy can serve; the others fail: after a pull, a version still missing or a lineage still
    /// different means the learner they were meant for is gone (see <see cref="PolicyUnavailableException"/>).
    /// </summary>
    static List<PendingRollout> Servable(string runId, List<PendingRollout> batch, RunPolicy policy)
    {
        var servable = new List<PendingRollout>(batch.Count);
        foreach (var request in batch)
        {
            if (!request.Lineage.Accepts(policy.Lineage))
                request.Fail(new PolicyUnavailableException(
                    $"run '{runId}': the completion was asked of learner lineage {request.Lineage}, but the learner now publishes lineage " +
                    $"{policy.Lineage} (it was restored from a checkpoint); the run redoes the step."));
            else if (request.MinPolicyVersion > policy.Version)
                request.Fail(new PolicyUnavailableException(
                    $"run '{runId}': the completion needs policy version {request.MinPolicyVersion} or newer, but the learner's newest is " +
                    $"{policy.Version}; the learner it was meant for is gone, and the run redoes the step."));
            else
                servable.Add(request);
        }
        return servable;
    }

    async Task<RunPolicy> PolicyForAsync(string runId, RunConfig config, RunAssets assets)
    {
        if (policies.TryGetValue(runId, out var existing))
        {
            if (ReferenceEquals(existing.Assets, assets)) return existing;
            // The run was restarted under the same id with another configuration: its model may have another shape.
            policies.Remove(runId);
            loadedVersions.TryRemove(runId, out _);
            await worker.RunAsync(existing.Dispose).ConfigureAwait(false);
        }
        var policy = await worker.RunAsync(() => new RunPolicy(assets, options.Device)).ConfigureAwait(false);
        policies[runId] = policy;
        return policy;
    }

    /// <summary>
    /// The request's sampling stream. Keyed requests use the run's seed unsalted, so every silo samples the same completion
    /// for the same coordinates; an unkeyed request (a caller outside the step loop) gets a stream of this silo and its
    /// arrival, salted so that two silos never draw the same one (a negative step keeps it apart from every keyed stream).
    /// </summary>
    SampleKey SampleKeyFor(RunConfig config, CompletionCoordinates? coordinates, long arrival)
    {
        var runSeed = unchecked((ulong)config.Seed);
        return coordinates is { } at
            ? new SampleKey(runSeed, at.Step, at.PromptIndex, at.SampleIndex, at.Attempt)
            : new SampleKey(SplitMix64.Combine(runSeed, options.SamplingSalt), Step: -arrival, PromptIndex: 0, SampleIndex: 0, Attempt: 0);
    }

    static void CheckPrompt(string runId, RunAssets assets, int[] promptTokens)
    {
        if (promptTokens.Length == 0)
            throw new ArgumentException($"run '{runId}': the prompt has no tokens", nameof(promptTokens));
        var vocab = assets.Model.VocabSize;
        for (var i = 0; i < promptTokens.Length; i++)
            if (promptTokens[i] < 0 || promptTokens[i] >= vocab)
                throw new ArgumentException($"run '{runId}': promptTokens[{i}] = {promptTokens[i]} is outside the vocabulary [0, {vocab})", nameof(promptTokens));
        var longest = promptTokens.Length + assets.Config.MaxCompletionTokens;
        if (longest > assets.Model.MaxPositionEmbeddings)
            throw new ArgumentException(
                $"run '{runId}': prompt of {promptTokens.Length} tokens + max_completion_tokens {assets.Config.MaxCompletionTokens} exceeds the model's " +
                $"{assets.Model.MaxPositionEmbeddings} positions", nameof(promptTokens));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        GrpoMetrics.Untrack(this);
        incoming.Writer.TryComplete();
        stopping.Cancel();
        await loop.ConfigureAwait(false);
        foreach (var policy in policies.Values) await worker.RunAsync(policy.Dispose).ConfigureAwait(false);
        policies.Clear();
        await worker.DisposeAsync().ConfigureAwait(false);
        stopping.Dispose();
    }

    // For containers that dispose synchronously; the silo host disposes asynchronously and never blocks here.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
