using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;

namespace ClusterLlm.Sandbox.Patching;

/// <summary>RFC 6902 JSON Patch: add, remove, replace, move, copy and test.</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        var root = new JsonObject { ["doc"] = document };
        foreach (var entry in operations)
        {
            if (entry is not JsonObject operation)
            {
                throw Invalid("each JSON patch operation must be an object");
            }

            var op = operation["op"]?.GetValue<string>() ?? throw Invalid("a JSON patch operation is missing \"op\"");
            var path = operation["path"]?.GetValue<string>() ?? throw Invalid($"{op} operation is missing \"path\"");
            switch (op)
            {
                case "add":
                    Add(root, path, Value(operation, op));
                    break;
                case "remove":
                    Remove(root, path, op);
                    break;
                case "replace":
                    Remove(root, path, op);
                    Add(root, path, Value(operation, op));
                    break;
                case "move":
                    Add(root, path, Remove(root, From(operation, op), op));
                    break;
                case "copy":
                    Add(root, path, Get(root, From(operation, op), op)?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path, op), operation["value"]))
                    {
                        throw Invalid($"testing value {path} failed: test failed");
                    }

                    break;
                default:
                    throw Invalid($"Unexpected kind: {op}");
            }
        }

        return root["doc"]!;
    }

    private static JsonNode? Value(JsonObject operation, string op) =>
        operation.ContainsKey("value") ? operation["value"]?.DeepClone() : throw Invalid($"{op} operation is missing \"value\"");

    private static string From(JsonObject operation, string op) =>
        operation["from"]?.GetValue<string>() ?? throw Invalid($"{op} operation is missing \"from\"");

    private static (JsonNode Parent, string Token) Locate(JsonObject root, string path, string op)
    {
        if (path.Length > 0 && path[0] != '/')
        {
            throw Invalid($"{op} operation does not apply: invalid path {path}");
        }

        var tokens = ("/doc" + path).Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
        JsonNode? node = root;
        for (var i = 0; i < tokens.Count - 1; i++)
        {
            node = Child(node, tokens[i]) ?? throw Invalid($"{op} operation does not apply: doc is missing path: \"{path}\": missing value");
        }

        return (node!, tokens[^1]);
    }

    private static JsonNode? Child(JsonNode? node, string token) => node switch
    {
        JsonObject o => o[token],
        JsonArray a when int.TryParse(token, out var index) && index >= 0 && index < a.Count => a[index],
        _ => null,
    };

    private static JsonNode? Get(JsonObject root, string path, string op)
    {
        var (parent, token) = Locate(root, path, op);
        return parent switch
        {
            JsonObject o when o.ContainsKey(token) => o[token],
            JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
            _ => throw Invalid($"{op} operation does not apply: doc is missing path: \"{path}\": missing value"),
        };
    }

    private static void Add(JsonObject root, string path, JsonNode? value)
    {
        var (parent, token) = Locate(root, path, "add");
        switch (parent)
        {
            case JsonObject o:
                o[token] = value;
                break;
            case JsonArray a when token == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(token, out var index) && index >= 0 && index <= a.Count:
                a.Insert(index, value);
                break;
            default:
                throw Invalid($"add operation does not apply: doc is missing path: \"{path}\": missing value");
        }
    }

    private static JsonNode? Remove(JsonObject root, string path, string op)
    {
        var (parent, token) = Locate(root, path, op);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(token):
                var value = o[token];
                o.Remove(token);
                return value;
            case JsonArray a when int.TryParse(token, out var index) && index >= 0 && index < a.Count:
                var item = a[index];
                a.RemoveAt(index);
                return item;
            default:
                throw Invalid($"{op} operation does not apply: doc is missing path: \"{path}\": missing value");
        }
    }

    private static ApiException Invalid(string message) => new(422, "Invalid", message);
}
