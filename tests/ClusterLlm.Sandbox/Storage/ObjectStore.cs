using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Watching;

namespace ClusterLlm.Sandbox.Storage;

/// <summary>The page a list returns: items in (namespace, name) order and the key to continue after.</summary>
internal sealed record ListPage(IReadOnlyList<StoredObject> Items, long ResourceVersion, string? ContinueAfter, long RemainingItemCount);

/// <summary>
/// The in-memory store: objects indexed by group/resource, then namespace, then name, with one
/// global monotonic resourceVersion, an owner index for garbage collection, and per-resource watch
/// histories. A single lock orders commits, so every watcher sees events in resourceVersion order.
/// </summary>
internal sealed class ObjectStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<GroupResource, ResourceTable> _tables = [];
    private readonly Dictionary<string, HashSet<ObjectKey>> _dependents = [];
    private readonly int _historyCapacity;
    private readonly int _watcherCapacity;
    private long _resourceVersion;

    // Tables created later start here: no event of theirs precedes it, so nothing older is lost.
    private long _historyFloor;

    public ObjectStore(int historyCapacity = 4096, int watcherCapacity = 8192)
    {
        _historyCapacity = historyCapacity;
        _watcherCapacity = watcherCapacity;
    }

    public long CurrentResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    public StoredObject? Get(GroupResource resource, string ns, string name)
    {
        lock (_gate)
        {
            return Table(resource).Get(ns, name);
        }
    }

    public ListPage List(GroupResource resource, string? ns, Func<StoredObject, bool> filter, int limit, string? continueAfter)
    {
        List<StoredObject> candidates;
        long rv;
        lock (_gate)
        {
            candidates = Table(resource).Snapshot(ns, continueAfter);
            rv = _resourceVersion;
        }

        var items = new List<StoredObject>();
        string? next = null;
        long remaining = 0;
        for (var i = 0; i < candidates.Count; i++)
        {
            var candidate = candidates[i];
            if (!filter(candidate))
            {
                continue;
            }

            if (limit > 0 && items.Count == limit)
            {
                next = ObjectKey.Format(items[^1].Namespace, items[^1].Name);
                remaining = candidates.Count - i;
                break;
            }

            items.Add(candidate);
        }

        return new ListPage(items, rv, next, remaining);
    }

    /// <summary>Every object of a resource; for internal controllers, not for request paths.</summary>
    public IReadOnlyList<StoredObject> All(GroupResource resource)
    {
        lock (_gate)
        {
            return Table(resource).Snapshot(null, null);
        }
    }

    /// <summary>Keys of the objects whose ownerReferences name <paramref name="ownerUid"/>.</summary>
    public IReadOnlyList<ObjectKey> Dependents(string ownerUid)
    {
        lock (_gate)
        {
            return _dependents.TryGetValue(ownerUid, out var set) ? [.. set] : [];
        }
    }

    public StoredObject Create(ResourceType type, JsonObject obj)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        var ns = metadata["namespace"]?.GetValue<string>() ?? "";
        var name = metadata["name"]!.GetValue<string>();
        lock (_gate)
        {
            var table = Table(type.GroupResource);
            if (table.Get(ns, name) is not null)
            {
                throw ApiException.AlreadyExists(type.Resource, type.Group, name);
            }

            return Record(type.GroupResource, table, null, obj, WatchEventType.Added);
        }
    }

    /// <summary>Replaces an object if it is still at <paramref name="expectedResourceVersion"/>, or throws 409.</summary>
    public StoredObject Update(ResourceType type, JsonObject obj, long expectedResourceVersion)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        var ns = metadata["namespace"]?.GetValue<string>() ?? "";
        var name = metadata["name"]!.GetValue<string>();
        lock (_gate)
        {
            var table = Table(type.GroupResource);
            var current = Current(type, table, ns, name, expectedResourceVersion);
            return Record(type.GroupResource, table, current, obj, WatchEventType.Modified);
        }
    }

    /// <summary>Removes an object if it is still at <paramref name="expectedResourceVersion"/>; the DELETED event carries its final state at a new resourceVersion.</summary>
    public StoredObject Delete(ResourceType type, string ns, string name, long expectedResourceVersion, JsonObject? finalState = null)
    {
        lock (_gate)
        {
            var table = Table(type.GroupResource);
            var current = Current(type, table, ns, name, expectedResourceVersion);
            return Record(type.GroupResource, table, current, finalState ?? current.Clone(), WatchEventType.Deleted);
        }
    }

    /// <summary>
    /// Opens a watch. Replayed history (from <paramref name="fromResourceVersion"/>) or the initial
    /// snapshot is queued under the commit lock, so no event falls between the two.
    /// </summary>
    public Watcher Watch(GroupResource resource, string? ns, Func<StoredObject, bool> filter, long? fromResourceVersion, bool sendInitialEvents)
    {
        lock (_gate)
        {
            var table = Table(resource);
            var watcher = table.AddWatcher(obj => (ns is null || obj.Namespace == ns) && filter(obj), _watcherCapacity, _gate);
            if (sendInitialEvents)
            {
                foreach (var obj in table.Snapshot(ns, null))
                {
                    if (watcher.Matches(obj))
                    {
                        watcher.Offer(new WatchEvent(WatchEventType.Added, obj, obj.ResourceVersion));
                    }
                }
            }
            else if (fromResourceVersion is { } from)
            {
                if (from < table.HistoryFloor)
                {
                    watcher.Dispose();
                    throw ApiException.Gone($"too old resource version: {from} ({table.HistoryFloor})");
                }

                table.Replay(from, watcher);
            }

            return watcher;
        }
    }

    /// <summary>Ends every open watch, as an API server restart or a network cut would.</summary>
    public void EndAllWatches()
    {
        lock (_gate)
        {
            foreach (var table in _tables.Values)
            {
                table.EndWatchers();
            }
        }
    }

    /// <summary>
    /// Forgets the watch history, so any resourceVersion older than now gets 410 Gone; with
    /// <paramref name="keepObjects"/> false the objects go too (the resourceVersion still never goes back).
    /// </summary>
    public void Reset(bool keepObjects)
    {
        lock (_gate)
        {
            foreach (var table in _tables.Values)
            {
                table.EndWatchers();
                table.ForgetHistory(_resourceVersion);
            }

            _historyFloor = _resourceVersion;

            if (!keepObjects)
            {
                _tables.Clear();
                _dependents.Clear();
            }
        }
    }

    private static StoredObject Current(ResourceType type, ResourceTable table, string ns, string name, long expectedResourceVersion)
    {
        var current = table.Get(ns, name) ?? throw ApiException.NotFound(type.Resource, type.Group, name);
        return current.ResourceVersion == expectedResourceVersion
            ? current
            : throw ApiException.StaleResourceVersion(type.Resource, type.Group, name);
    }

    /// <summary>Stamps the next resourceVersion on <paramref name="obj"/>, stores or removes it, keeps the owner index, and tells the watchers.</summary>
    private StoredObject Record(GroupResource resource, ResourceTable table, StoredObject? before, JsonObject obj, WatchEventType kind)
    {
        var stored = Commit((JsonObject)obj["metadata"]!, obj);
        if (kind == WatchEventType.Deleted)
        {
            table.Remove(stored.Namespace, stored.Name);
        }
        else
        {
            table.Put(stored);
        }

        IndexOwners(resource, before, kind == WatchEventType.Deleted ? null : stored);
        table.Publish(new WatchEvent(kind, stored, stored.ResourceVersion));
        return stored;
    }

    private StoredObject Commit(JsonObject metadata, JsonObject obj)
    {
        var rv = ++_resourceVersion;
        metadata["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new StoredObject(obj, rv);
    }

    private void IndexOwners(GroupResource resource, StoredObject? before, StoredObject? after)
    {
        if (before is not null)
        {
            foreach (var uid in OwnerUids(before))
            {
                if (_dependents.TryGetValue(uid, out var set))
                {
                    set.Remove(new ObjectKey(resource, before.Namespace, before.Name));
                    if (set.Count == 0)
                    {
                        _dependents.Remove(uid);
                    }
                }
            }
        }

        if (after is not null)
        {
            foreach (var uid in OwnerUids(after))
            {
                if (!_dependents.TryGetValue(uid, out var set))
                {
                    _dependents[uid] = set = [];
                }

                set.Add(new ObjectKey(resource, after.Namespace, after.Name));
            }
        }
    }

    private static IEnumerable<string> OwnerUids(StoredObject obj) =>
        (obj.Metadata?["ownerReferences"] as JsonArray)?.OfType<JsonObject>().Select(o => o["uid"]?.GetValue<string>()).OfType<string>() ?? [];

    private ResourceTable Table(GroupResource resource)
    {
        if (!_tables.TryGetValue(resource, out var table))
        {
            _tables[resource] = table = new ResourceTable(_historyCapacity, _historyFloor);
        }

        return table;
    }
}

/// <summary>Identifies a stored object across resources.</summary>
internal readonly record struct ObjectKey(GroupResource Resource, string Namespace, string Name)
{
    internal static string Format(string ns, string name) => ns + "/" + name;
}
