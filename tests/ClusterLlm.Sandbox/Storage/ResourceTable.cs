using ClusterLlm.Sandbox.Watching;

namespace ClusterLlm.Sandbox.Storage;

/// <summary>
/// One resource's objects (namespace → name, both ordered), its bounded event history and its
/// watchers. Not thread-safe: <see cref="ObjectStore"/> guards it with its commit lock.
/// </summary>
internal sealed class ResourceTable
{
    private readonly SortedDictionary<string, SortedDictionary<string, StoredObject>> _byNamespace = new(StringComparer.Ordinal);
    private readonly Queue<WatchEvent> _history = new();
    private readonly List<Watcher> _watchers = [];
    private readonly int _historyCapacity;

    public ResourceTable(int historyCapacity, long floor)
    {
        _historyCapacity = historyCapacity;
        HistoryFloor = floor;
    }

    /// <summary>The oldest resourceVersion a watch can resume from; older ones get 410 Gone.</summary>
    public long HistoryFloor { get; private set; }

    public StoredObject? Get(string ns, string name) =>
        _byNamespace.TryGetValue(ns, out var names) && names.TryGetValue(name, out var obj) ? obj : null;

    public void Put(StoredObject obj)
    {
        if (!_byNamespace.TryGetValue(obj.Namespace, out var names))
        {
            _byNamespace[obj.Namespace] = names = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
        }

        names[obj.Name] = obj;
    }

    public void Remove(string ns, string name)
    {
        if (_byNamespace.TryGetValue(ns, out var names) && names.Remove(name) && names.Count == 0)
        {
            _byNamespace.Remove(ns);
        }
    }

    /// <summary>Objects in key order, optionally one namespace, starting after a continue key.</summary>
    public List<StoredObject> Snapshot(string? ns, string? after)
    {
        var result = new List<StoredObject>();
        var (afterNs, afterName) = after is null ? (null, null) : Split(after);
        if (ns is not null)
        {
            if (_byNamespace.TryGetValue(ns, out var names))
            {
                AddAfter(names, afterNs == ns ? afterName : null, result);
            }

            return result;
        }

        foreach (var (namespaceName, names) in _byNamespace)
        {
            if (afterNs is not null && string.CompareOrdinal(namespaceName, afterNs) < 0)
            {
                continue;
            }

            AddAfter(names, namespaceName == afterNs ? afterName : null, result);
        }

        return result;
    }

    public Watcher AddWatcher(Func<StoredObject, bool> filter, int capacity, Lock gate)
    {
        Watcher? watcher = null;
        watcher = new Watcher(filter, capacity, w =>
        {
            lock (gate)
            {
                _watchers.Remove(w);
            }
        });
        _watchers.Add(watcher);
        return watcher;
    }

    public void Publish(WatchEvent e)
    {
        _history.Enqueue(e);
        while (_history.Count > _historyCapacity)
        {
            HistoryFloor = _history.Dequeue().ResourceVersion;
        }

        foreach (var watcher in _watchers)
        {
            if (watcher.Matches(e.Object!))
            {
                watcher.Offer(e);
            }
        }
    }

    public void Replay(long from, Watcher watcher)
    {
        foreach (var e in _history)
        {
            if (e.ResourceVersion > from && watcher.Matches(e.Object!))
            {
                watcher.Offer(e);
            }
        }
    }

    public void EndWatchers()
    {
        foreach (var watcher in _watchers)
        {
            watcher.End();
        }

        _watchers.Clear();
    }

    public void ForgetHistory(long floor)
    {
        _history.Clear();
        HistoryFloor = floor;
    }

    private static void AddAfter(SortedDictionary<string, StoredObject> names, string? afterName, List<StoredObject> result)
    {
        foreach (var (name, obj) in names)
        {
            if (afterName is null || string.CompareOrdinal(name, afterName) > 0)
            {
                result.Add(obj);
            }
        }
    }

    private static (string Ns, string Name) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("", key) : (key[..slash], key[(slash + 1)..]);
    }
}
