using System.Threading.Channels;

namespace Grpo.Client.Dashboard;

/// <summary>
/// Hands every event a feed publishes to each connected browser, so one poller per run serves any number of pages.
/// Each browser has its own queue: a slow one delays only itself.
/// </summary>
public sealed class EventFanOut
{
    private readonly Lock gate = new();
    private readonly List<Channel<DashboardEvent>> subscribers = [];

    public int Subscribers
    {
        get
        {
            lock (gate)
            {
                return subscribers.Count;
            }
        }
    }

    /// <summary>A new subscriber whose queue starts with <paramref name="snapshot"/>: what a page needs before the next change.</summary>
    public EventSubscription Subscribe(IEnumerable<DashboardEvent> snapshot)
    {
        var channel = Channel.CreateUnbounded<DashboardEvent>(new UnboundedChannelOptions { SingleReader = true });
        foreach (var item in snapshot)
        {
            channel.Writer.TryWrite(item);
        }

        lock (gate)
        {
            subscribers.Add(channel);
        }

        return new EventSubscription(channel.Reader, () => Remove(channel));
    }

    public void Publish(DashboardEvent item)
    {
        lock (gate)
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Writer.TryWrite(item);
            }
        }
    }

    /// <summary>Ends every subscriber's stream (the dashboard is shutting down).</summary>
    public void Complete()
    {
        lock (gate)
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Writer.TryComplete();
            }

            subscribers.Clear();
        }
    }

    private void Remove(Channel<DashboardEvent> channel)
    {
        lock (gate)
        {
            subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }
}

/// <summary>One browser's queue of events; disposing it unsubscribes.</summary>
public sealed class EventSubscription(ChannelReader<DashboardEvent> events, Action unsubscribe) : IDisposable
{
    public ChannelReader<DashboardEvent> Events => events;

    public void Dispose() => unsubscribe();
}
