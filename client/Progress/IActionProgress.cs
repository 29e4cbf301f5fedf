namespace Grpo.Client.Progress;

/// <summary>Shows one long action of the console (loading a model, evaluating): what it is doing and how far it is.</summary>
public interface IActionProgressView
{
    Task<T> RunAsync<T>(string title, Func<IActionProgress, Task<T>> action);
}

/// <summary>Receives an action's progress; safe to call from any thread.</summary>
public interface IActionProgress
{
    /// <summary>A part of the action whose length is unknown, e.g. "loading checkpoint".</summary>
    void Phase(string description);

    /// <summary><paramref name="done"/> of <paramref name="total"/> units of the current phase are finished.</summary>
    void Advance(string description, long done, long total);
}
