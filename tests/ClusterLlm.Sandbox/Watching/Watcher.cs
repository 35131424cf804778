using System.Threading.Channels;
using ClusterLlm.Sandbox.Storage;

namespace ClusterLlm.Sandbox.Watching;

/// <summary>
/// One open watch. The store pushes matching events into a bounded channel; a client too slow to
/// drain it is disconnected, as the API server drops a watcher whose buffer fills, and re-lists.
/// </summary>
internal sealed class Watcher : IDisposable
{
    private readonly Channel<WatchEvent> _events;
    private readonly Func<StoredObject, bool> _filter;
    private readonly Action<Watcher> _unregister;

    internal Watcher(Func<StoredObject, bool> filter, int capacity, Action<Watcher> unregister)
    {
        _filter = filter;
        _unregister = unregister;
        _events = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public ChannelReader<WatchEvent> Events => _events.Reader;

    internal bool Matches(StoredObject obj) => _filter(obj);

    internal void Offer(WatchEvent e)
    {
        if (!_events.Writer.TryWrite(e))
        {
            End();
        }
    }

    /// <summary>Closes the stream; the client sees the response end, as when a watch times out.</summary>
    public void End() => _events.Writer.TryComplete();

    public void Dispose()
    {
        End();
        _unregister(this);
    }
}
