using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Crds;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Storage;

namespace ClusterLlm.Sandbox.Api;

/// <summary>The <c>autoscaling/v1 Scale</c> view of a resource with a scale subresource.</summary>
internal static class Scale
{
    public static JsonObject ToScale(ResourceType type, StoredObject obj)
    {
        var spec = type.Scale ?? throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        var status = new JsonObject { ["replicas"] = JsonPathCell.Evaluate(obj.Object, spec.StatusReplicasPath) ?? 0 };
        if (spec.LabelSelectorPath is not null && JsonPathCell.Evaluate(obj.Object, spec.LabelSelectorPath) is { } selector)
        {
            status["selector"] = selector is JsonObject labelSelector ? Format(labelSelector) : selector;
        }

        var metadata = obj.Metadata!;
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = obj.Name,
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["uid"] = obj.Uid,
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = JsonPathCell.Evaluate(obj.Object, spec.SpecReplicasPath) ?? 0 },
            ["status"] = status,
        };
    }

    public static void SetReplicas(ResourceType type, JsonObject obj, long replicas)
    {
        var path = (type.Scale ?? throw new ApiException(404, "NotFound", "the server could not find the requested resource")).SpecReplicasPath.TrimStart('.').Split('.');
        var node = obj;
        foreach (var segment in path[..^1])
        {
            if (node[segment] is not JsonObject next)
            {
                next = [];
                node[segment] = next;
            }

            node = next;
        }

        node[path[^1]] = replicas;
    }

    /// <summary>Deployments keep a structured selector; Scale reports it in label-selector syntax.</summary>
    private static string Format(JsonObject selector) =>
        string.Join(",", (selector["matchLabels"] as JsonObject)?.Select(l => $"{l.Key}={l.Value}") ?? []);
}
