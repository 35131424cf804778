using ClusterLlm.Sandbox.Storage;

namespace ClusterLlm.Sandbox.Watching;

/// <summary>The event types of a watch stream.</summary>
internal enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>A committed change, or a bookmark carrying only a resourceVersion.</summary>
internal sealed record WatchEvent(WatchEventType Type, StoredObject? Object, long ResourceVersion, bool InitialEventsEnd = false)
{
    public string TypeName => Type switch
    {
        WatchEventType.Added => "ADDED",
        WatchEventType.Modified => "MODIFIED",
        WatchEventType.Deleted => "DELETED",
        _ => "BOOKMARK",
    };
}
