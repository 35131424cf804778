using System.Collections.Immutable;

namespace ClusterLlm.Sandbox.Registry;

/// <summary>
/// The set of served resources. Readers get an immutable snapshot, so discovery, routing and OpenAPI
/// never see a half-registered CRD; writers (startup and the CRD controller) swap whole snapshots.
/// </summary>
internal sealed class ResourceRegistry
{
    private readonly Lock _gate = new();
    private ImmutableList<ResourceType> _types = [];

    /// <summary>Increases with every change; caches key their documents on it.</summary>
    public long Generation { get; private set; }

    public IReadOnlyList<ResourceType> All => _types;

    public void Register(IEnumerable<ResourceType> types)
    {
        lock (_gate)
        {
            var list = _types;
            foreach (var type in types)
            {
                list = list.RemoveAll(t => t.Group == type.Group && t.Version == type.Version && t.Resource == type.Resource).Add(type);
            }

            _types = list;
            Generation++;
        }
    }

    /// <summary>Replaces every registration, as a restart without state does.</summary>
    public void Reset(IEnumerable<ResourceType> types)
    {
        lock (_gate)
        {
            _types = [.. types];
            Generation++;
        }
    }

    public void Unregister(GroupResource groupResource)
    {
        lock (_gate)
        {
            _types = _types.RemoveAll(t => t.GroupResource == groupResource);
            Generation++;
        }
    }

    public ResourceType? Find(string group, string version, string resource)
    {
        foreach (var type in _types)
        {
            if (type.Resource == resource && type.Version == version && type.Group == group)
            {
                return type;
            }
        }

        return null;
    }

    public ResourceType? FindKind(string apiVersion, string kind)
    {
        foreach (var type in _types)
        {
            if (type.Kind == kind && type.ApiVersion == apiVersion)
            {
                return type;
            }
        }

        return null;
    }

    /// <summary>The storage-version type of a group/resource, used by the garbage collector across versions.</summary>
    public ResourceType? FindStorage(GroupResource groupResource)
    {
        foreach (var type in _types)
        {
            if (type.GroupResource == groupResource && type.Version == type.StorageVersion)
            {
                return type;
            }
        }

        return null;
    }

    public IEnumerable<string> Groups() => _types.Select(t => t.Group).Distinct();

    /// <summary>Versions of a group in preference order: the storage version of the first resource first.</summary>
    public IReadOnlyList<string> Versions(string group) =>
        _types.Where(t => t.Group == group)
            .Select(t => t.Version)
            .Distinct()
            .OrderBy(VersionPriority)
            .ToList();

    /// <summary>Kubernetes version ordering: GA before beta before alpha, higher numbers first.</summary>
    internal static (int Stability, int Major, int Minor) VersionPriority(string version)
    {
        var match = System.Text.RegularExpressions.Regex.Match(version, @"^v(\d+)(?:(alpha|beta)(\d+))?$");
        if (!match.Success)
        {
            return (3, 0, 0);
        }

        var stability = match.Groups[2].Value switch { "beta" => 1, "alpha" => 2, _ => 0 };
        var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (stability, -int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), -minor);
    }
}
