using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;

namespace ClusterLlm.Sandbox.OpenApi;

/// <summary>
/// The OpenAPI v3 documents kubectl reads for <c>apply</c>, <c>explain</c> and field validation: an
/// index of group-versions, and per group-version the kinds' schemas with their dependencies and
/// the PATCH paths that advertise the <c>fieldValidation</c> parameter. Cached until a CRD changes.
/// </summary>
internal sealed class OpenApiDocuments
{
    private readonly ResourceRegistry _registry;
    private readonly Lock _gate = new();
    private long _generation = -1;
    private Dictionary<string, byte[]> _documents = [];
    private Dictionary<string, string> _hashes = [];

    public OpenApiDocuments(ResourceRegistry registry) => _registry = registry;

    /// <summary>The <c>/openapi/v3</c> index.</summary>
    public JsonObject Index()
    {
        var (_, hashes) = Current();
        var paths = new JsonObject();
        foreach (var (key, hash) in hashes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The document for <c>api/v1</c> or <c>apis/{group}/{version}</c>, or null.</summary>
    public byte[]? Document(string key)
    {
        var (documents, _) = Current();
        return documents.GetValueOrDefault(key);
    }

    private (Dictionary<string, byte[]> Documents, Dictionary<string, string> Hashes) Current()
    {
        lock (_gate)
        {
            if (_generation != _registry.Generation)
            {
                _generation = _registry.Generation;
                _documents = [];
                _hashes = [];
                foreach (var group in _registry.All.GroupBy(t => t.GroupVersion))
                {
                    var key = group.First().Group == "" ? "api/" + group.First().Version : "apis/" + group.Key;
                    var bytes = JsonSerializer.SerializeToUtf8Bytes(Build(group.ToList(), key), Json.Options);
                    _documents[key] = bytes;
                    _hashes[key] = Convert.ToHexString(SHA256.HashData(bytes))[..32];
                }
            }

            return (_documents, _hashes);
        }
    }

    private static JsonObject Build(List<ResourceType> types, string key)
    {
        var schemas = new JsonObject();
        var paths = new JsonObject();
        foreach (var type in types)
        {
            if (type.CrdSchema is { } crdSchema)
            {
                schemas[type.SchemaName] = CustomSchema(type, crdSchema);
                AddClosure(ModelSchemas.MetaPackage + ".ObjectMeta", schemas);
            }
            else
            {
                AddClosure(type.SchemaName, schemas);
            }

            var gvk = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };
            var prefix = "/" + key + (type.Namespaced ? "/namespaces/{namespace}/" : "/") + type.Resource + "/{name}";
            paths[prefix] = new JsonObject
            {
                ["get"] = Operation("read", type, gvk, []),
                ["put"] = Operation("replace", type, gvk, ["dryRun", "fieldManager", "fieldValidation"]),
                ["patch"] = Operation("patch", type, gvk, ["dryRun", "fieldManager", "fieldValidation", "force"]),
                ["delete"] = Operation("delete", type, gvk, ["dryRun", "gracePeriodSeconds", "propagationPolicy"]),
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.35.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonObject Operation(string action, ResourceType type, JsonObject gvk, string[] parameters) => new()
    {
        ["operationId"] = action + type.Kind,
        ["parameters"] = new JsonArray(parameters.Select(p => (JsonNode)new JsonObject { ["name"] = p, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }).ToArray()),
        ["responses"] = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = "OK",
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/" + type.SchemaName } } },
            },
        },
        ["x-kubernetes-action"] = action == "read" ? "get" : action == "replace" ? "put" : action,
        ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
    };

    /// <summary>A CRD's schema as the API server publishes it: with apiVersion, kind, metadata and its GVK.</summary>
    private static JsonObject CustomSchema(ResourceType type, JsonObject crdSchema)
    {
        var schema = (JsonObject)crdSchema.DeepClone();
        var properties = schema["properties"] as JsonObject ?? [];
        schema["properties"] = properties;
        properties["apiVersion"] ??= new JsonObject { ["description"] = "APIVersion defines the versioned schema of this representation of an object.", ["type"] = "string" };
        properties["kind"] ??= new JsonObject { ["description"] = "Kind is a string value representing the REST resource this object represents.", ["type"] = "string" };
        properties["metadata"] = new JsonObject
        {
            ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = $"#/components/schemas/{ModelSchemas.MetaPackage}.ObjectMeta" }),
            ["description"] = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        };
        schema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = type.Group, ["kind"] = type.Kind, ["version"] = type.Version });
        return schema;
    }

    private static void AddClosure(string name, JsonObject schemas)
    {
        var pending = new Stack<string>([name]);
        while (pending.TryPop(out var next))
        {
            if (schemas.ContainsKey(next) || !ModelSchemas.All.TryGetValue(next, out var schema))
            {
                continue;
            }

            var copy = (JsonObject)schema.DeepClone();
            schemas[next] = copy;
            foreach (var reference in References(copy))
            {
                pending.Push(reference);
            }
        }
    }

    private static IEnumerable<string> References(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref" && value is JsonValue v && v.TryGetValue<string>(out var reference))
                    {
                        yield return reference["#/components/schemas/".Length..];
                    }

                    foreach (var nested in References(value))
                    {
                        yield return nested;
                    }
                }

                break;
            case JsonArray array:
                foreach (var nested in array.SelectMany(References))
                {
                    yield return nested;
                }

                break;
        }
    }
}
