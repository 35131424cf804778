using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Registry;

namespace ClusterLlm.Sandbox.Discovery;

/// <summary>
/// Discovery: the legacy <c>APIVersions</c>/<c>APIGroupList</c>/<c>APIResourceList</c> documents and
/// the aggregated <c>apidiscovery.k8s.io/v2</c> <c>APIGroupDiscoveryList</c> kubectl asks for first.
/// </summary>
internal sealed class DiscoveryDocuments
{
    public const string AggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    private static readonly string[] ObjectVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private readonly ResourceRegistry _registry;

    public DiscoveryDocuments(ResourceRegistry registry) => _registry = registry;

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "35",
        ["emulationMajor"] = "1",
        ["emulationMinor"] = "35",
        ["gitVersion"] = "v1.35.0-clusterllm-sandbox",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.25.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(_registry.Groups().Where(g => g.Length > 0).Select(g => (JsonNode)Group(g)).ToArray()),
    };

    public JsonObject? GroupDocument(string group)
    {
        if (!_registry.Groups().Contains(group) || group.Length == 0)
        {
            return null;
        }

        var document = Group(group);
        document["kind"] = "APIGroup";
        document["apiVersion"] = "v1";
        return document;
    }

    public JsonObject? ResourceList(string group, string version)
    {
        var types = _registry.All.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var type in types.OrderBy(t => t.Resource, StringComparer.Ordinal))
        {
            var resource = new JsonObject
            {
                ["name"] = type.Resource,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = Strings(ObjectVerbs),
            };
            if (type.ShortNames.Count > 0)
            {
                resource["shortNames"] = Strings(type.ShortNames);
            }

            if (type.Categories.Count > 0)
            {
                resource["categories"] = Strings(type.Categories);
            }

            resource["storageVersionHash"] = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(type.ApiVersion + "/" + type.Kind)))[..11];
            resources.Add(resource);
            foreach (var subresource in type.Subresources)
            {
                var (kindGroup, kindVersion, kind, verbs) = Subresource(type, subresource);
                var entry = new JsonObject
                {
                    ["name"] = $"{type.Resource}/{subresource}",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                    ["kind"] = kind,
                    ["verbs"] = Strings(verbs),
                };
                if (kindGroup != type.Group || kindVersion != type.Version)
                {
                    entry["group"] = kindGroup;
                    entry["version"] = kindVersion;
                }

                resources.Add(entry);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = types[0].GroupVersion,
            ["resources"] = resources,
        };
    }

    /// <summary>The aggregated discovery document for the core group (<paramref name="core"/>) or all named groups.</summary>
    public JsonObject Aggregated(bool core)
    {
        var items = new JsonArray();
        foreach (var group in _registry.Groups().Where(g => (g.Length == 0) == core))
        {
            var versions = new JsonArray();
            foreach (var version in _registry.Versions(group))
            {
                var resources = new JsonArray();
                foreach (var type in _registry.All.Where(t => t.Group == group && t.Version == version).OrderBy(t => t.Resource, StringComparer.Ordinal))
                {
                    var resource = new JsonObject
                    {
                        ["resource"] = type.Resource,
                        ["responseKind"] = Kind(type.Group, type.Version, type.Kind),
                        ["scope"] = type.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = type.Singular,
                        ["verbs"] = Strings(ObjectVerbs),
                    };
                    if (type.ShortNames.Count > 0)
                    {
                        resource["shortNames"] = Strings(type.ShortNames);
                    }

                    if (type.Categories.Count > 0)
                    {
                        resource["categories"] = Strings(type.Categories);
                    }

                    if (type.Subresources.Count > 0)
                    {
                        resource["subresources"] = new JsonArray(type.Subresources.Select(s =>
                        {
                            var (kindGroup, kindVersion, kind, verbs) = Subresource(type, s);
                            return (JsonNode)new JsonObject { ["subresource"] = s, ["responseKind"] = Kind(kindGroup, kindVersion, kind), ["verbs"] = Strings(verbs) };
                        }).ToArray());
                    }

                    resources.Add(resource);
                }

                versions.Add(new JsonObject { ["version"] = version, ["resources"] = resources, ["freshness"] = "Current" });
            }

            items.Add(new JsonObject { ["metadata"] = new JsonObject { ["name"] = group, ["creationTimestamp"] = null }, ["versions"] = versions });
        }

        return new JsonObject { ["kind"] = "APIGroupDiscoveryList", ["apiVersion"] = "apidiscovery.k8s.io/v2", ["metadata"] = new JsonObject(), ["items"] = items };
    }

    private JsonObject Group(string group)
    {
        var versions = _registry.Versions(group);
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v }).ToArray()),
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] },
        };
    }

    private static (string Group, string Version, string Kind, string[] Verbs) Subresource(ResourceType type, string subresource) => subresource switch
    {
        "scale" => ("autoscaling", "v1", "Scale", ["get", "patch", "update"]),
        "eviction" => ("policy", "v1", "Eviction", ["create"]),
        "log" => (type.Group, type.Version, type.Kind, ["get"]),
        _ => (type.Group, type.Version, type.Kind, ["get", "patch", "update"]),
    };

    private static JsonObject Kind(string group, string version, string kind) => new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
