using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Registry;

namespace ClusterLlm.Sandbox.Patching;

/// <summary>
/// Which lists merge by key rather than being replaced whole. Built-in kinds use the
/// <c>patchMergeKey</c>s of the Kubernetes types listed here; custom resources use their schema's
/// <c>x-kubernetes-list-type: map</c> and first <c>x-kubernetes-list-map-keys</c> entry.
/// </summary>
internal static class ListSemantics
{
    /// <summary>Built-in merge keys by list field name; <c>ports</c> depends on its parent.</summary>
    private static readonly Dictionary<string, string> BuiltInKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["conditions"] = "type",
        ["imagePullSecrets"] = "name",
        ["ownerReferences"] = "uid",
        ["hostAliases"] = "ip",
        ["resourceClaims"] = "name",
        ["topologySpreadConstraints"] = "topologyKey",
    };

    /// <summary>Primitive lists that merge as sets under strategic merge patch.</summary>
    private static readonly HashSet<string> BuiltInSets = new(StringComparer.Ordinal) { "finalizers" };

    /// <summary>The documented keys, for the README and OpenAPI patch extensions.</summary>
    public static IReadOnlyDictionary<string, string> DocumentedKeys => BuiltInKeys;

    /// <summary>The merge key of the list at <paramref name="path"/> (property names from the root), or null when the list is atomic.</summary>
    public static string? MergeKey(ResourceType type, IReadOnlyList<string> path)
    {
        if (path.Count == 0)
        {
            return null;
        }

        if (type.CrdSchema is { } schema)
        {
            var node = SchemaAt(schema, path);
            return node?["x-kubernetes-list-type"]?.GetValue<string>() == "map"
                ? (node["x-kubernetes-list-map-keys"] as JsonArray)?.FirstOrDefault()?.GetValue<string>()
                : null;
        }

        var field = path[^1];
        if (field == "ports")
        {
            return path.Count >= 2 && path[^2] == "spec" && type.Kind == "Service" ? "port" : "containerPort";
        }

        return BuiltInKeys.GetValueOrDefault(field);
    }

    /// <summary>Whether a primitive list merges as a set (strategic merge patch) instead of being replaced.</summary>
    public static bool IsSet(ResourceType type, IReadOnlyList<string> path)
    {
        if (path.Count == 0)
        {
            return false;
        }

        if (type.CrdSchema is { } schema)
        {
            return SchemaAt(schema, path)?["x-kubernetes-list-type"]?.GetValue<string>() == "set";
        }

        return BuiltInSets.Contains(path[^1]);
    }

    /// <summary>The schema node for a property path; array levels step through <c>items</c>.</summary>
    private static JsonObject? SchemaAt(JsonObject schema, IReadOnlyList<string> path)
    {
        JsonObject? node = schema;
        foreach (var segment in path)
        {
            while (node?["items"] is JsonObject items && node["type"]?.GetValue<string>() == "array")
            {
                node = items;
            }

            node = (node?["properties"] as JsonObject)?[segment] as JsonObject
                ?? (node?["additionalProperties"] as JsonObject);
        }

        return node;
    }
}
