using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Storage;

namespace ClusterLlm.Sandbox.Tables;

/// <summary>What each table row carries of its object (<c>includeObject</c>).</summary>
internal enum IncludeObject
{
    None,
    Metadata,
    Object,
}

/// <summary>Builds <c>meta.k8s.io/v1 Table</c> responses from a kind's printer columns.</summary>
internal static class TableBuilder
{
    public static JsonObject Build(ResourceType type, IEnumerable<StoredObject> objects, IncludeObject include, DateTimeOffset now, string? resourceVersion, string? continueToken, bool withColumns = true)
    {
        var metadata = new JsonObject();
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }

        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }

        var table = new JsonObject { ["kind"] = "Table", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = metadata };
        if (withColumns)
        {
            table["columnDefinitions"] = new JsonArray(type.PrinterColumns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = c.Description,
                ["priority"] = c.Priority,
            }).ToArray());
        }

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var row = new JsonObject { ["cells"] = new JsonArray(type.PrinterColumns.Select(c => c.Value(obj.Object, now)?.DeepClone() ?? JsonValue.Create("<none>")).ToArray()) };
            row["object"] = include switch
            {
                IncludeObject.Object => Converted(type, obj),
                IncludeObject.Metadata => new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = obj.Metadata?.DeepClone(),
                },
                _ => null,
            };
            rows.Add(row);
        }

        table["rows"] = rows;
        return table;
    }

    private static JsonObject Converted(ResourceType type, StoredObject obj)
    {
        var clone = obj.Clone();
        clone["apiVersion"] = type.ApiVersion;
        return clone;
    }
}
