using System.Collections.Concurrent;

namespace ClusterLlm.Sandbox.Faults;

/// <summary>How many requests one user agent made with one verb on one resource.</summary>
public sealed record RequestCount(string Verb, string Resource, string UserAgent, long Count);

/// <summary>
/// Counts API requests by verb, resource and user agent, so tests can prove, for example, that an
/// operator in steady state makes no writes.
/// </summary>
public sealed class RequestCounters
{
    private static readonly HashSet<string> WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];
    private readonly ConcurrentDictionary<(string Verb, string Resource, string UserAgent), long> _counts = new();

    public IReadOnlyList<RequestCount> Snapshot() =>
        _counts.Select(p => new RequestCount(p.Key.Verb, p.Key.Resource, p.Key.UserAgent, p.Value)).OrderBy(c => c.Resource, StringComparer.Ordinal).ThenBy(c => c.Verb, StringComparer.Ordinal).ToList();

    /// <summary>The number of requests matching every filter given.</summary>
    public long Count(string? verb = null, string? resource = null, string? userAgentPrefix = null) =>
        _counts.Where(p => (verb is null || p.Key.Verb == verb) && (resource is null || p.Key.Resource == resource) && (userAgentPrefix is null || p.Key.UserAgent.StartsWith(userAgentPrefix, StringComparison.Ordinal))).Sum(p => p.Value);

    /// <summary>Create, update, patch and delete requests, optionally from one user agent.</summary>
    public long Writes(string? userAgentPrefix = null) =>
        _counts.Where(p => WriteVerbs.Contains(p.Key.Verb) && (userAgentPrefix is null || p.Key.UserAgent.StartsWith(userAgentPrefix, StringComparison.Ordinal))).Sum(p => p.Value);

    public void Reset() => _counts.Clear();

    internal void Record(string verb, string resource, string userAgent) =>
        _counts.AddOrUpdate((verb, resource, userAgent), 1, (_, n) => n + 1);
}
