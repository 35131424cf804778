using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Registry;

namespace ClusterLlm.Sandbox.Patching;

/// <summary>
/// A set of field paths in the <c>FieldsV1</c> vocabulary: <c>f:name</c> for a field,
/// <c>k:{"name":"x"}</c> for an element of a keyed list, <c>v:"x"</c> for a set member, and
/// <c>.</c> for an element's own existence. Paths are stored as newline-joined keys.
/// </summary>
internal sealed class FieldSet
{
    private readonly HashSet<string> _paths;

    private FieldSet(HashSet<string> paths) => _paths = paths;

    public static FieldSet Empty => new([]);

    public IReadOnlyCollection<string> Paths => _paths;

    public int Count => _paths.Count;

    public bool Contains(string path) => _paths.Contains(path);

    public bool HasUnder(string prefix)
    {
        var withSeparator = prefix + "\n";
        return _paths.Contains(prefix) || _paths.Any(p => p.StartsWith(withSeparator, StringComparison.Ordinal));
    }

    public FieldSet Union(IEnumerable<string> paths) => new([.. _paths, .. paths]);

    public FieldSet Except(IEnumerable<string> paths)
    {
        var set = new HashSet<string>(_paths);
        set.ExceptWith(paths);
        return new FieldSet(set);
    }

    /// <summary>The fields an object sets, limited to what a manager can own for the given subresource.</summary>
    public static FieldSet Of(ResourceType type, JsonObject obj, string? subresource)
    {
        var paths = new HashSet<string>();
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" || value is null)
            {
                continue;
            }

            var isStatus = key == "status";
            if (type.HasStatus && isStatus != (subresource == "status"))
            {
                continue;
            }

            if (key == "metadata")
            {
                foreach (var field in new[] { "labels", "annotations", "finalizers", "ownerReferences" })
                {
                    if ((value as JsonObject)?[field] is { } child)
                    {
                        Walk(type, child, ["metadata", field], "f:metadata\nf:" + field, paths);
                    }
                }

                continue;
            }

            Walk(type, value, [key], "f:" + key, paths);
        }

        return new FieldSet(paths);
    }

    public static FieldSet FromFieldsV1(JsonNode? fields)
    {
        var paths = new HashSet<string>();
        Read(fields as JsonObject, "", paths);
        return new FieldSet(paths);

        static void Read(JsonObject? node, string prefix, HashSet<string> paths)
        {
            if (node is null)
            {
                return;
            }

            foreach (var (key, child) in node)
            {
                var path = prefix.Length == 0 ? key : prefix + "\n" + key;
                if (child is JsonObject { Count: > 0 } nested)
                {
                    Read(nested, path, paths);
                }
                else
                {
                    paths.Add(path);
                }
            }
        }
    }

    public JsonObject ToFieldsV1()
    {
        var root = new JsonObject();
        foreach (var path in _paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var segment in path.Split('\n'))
            {
                if (node[segment] is not JsonObject next)
                {
                    next = [];
                    node[segment] = next;
                }

                node = next;
            }
        }

        return root;
    }

    /// <summary>The node a path addresses, or null; <c>.</c> addresses the element itself.</summary>
    public static JsonNode? Get(JsonNode? root, string path)
    {
        var node = root;
        foreach (var segment in path.Split('\n'))
        {
            node = Step(node, segment);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>Removes the field or list element a path addresses.</summary>
    public static void Remove(JsonNode root, string path)
    {
        var segments = path.Split('\n');
        if (segments[^1] == ".")
        {
            segments = segments[..^1];
        }

        var node = root;
        foreach (var segment in segments[..^1])
        {
            node = Step(node, segment);
            if (node is null)
            {
                return;
            }
        }

        var last = segments[^1];
        switch (node)
        {
            case JsonObject o when last.StartsWith("f:", StringComparison.Ordinal):
                o.Remove(last[2..]);
                break;
            case JsonArray a:
                var index = IndexOf(a, last);
                if (index >= 0)
                {
                    a.RemoveAt(index);
                }

                break;
        }
    }

    /// <summary>A path as the API server prints it in conflicts: <c>.spec.containers[name="app"].image</c>.</summary>
    public static string Display(string path)
    {
        var text = new System.Text.StringBuilder();
        foreach (var segment in path.Split('\n'))
        {
            if (segment.StartsWith("f:", StringComparison.Ordinal))
            {
                text.Append('.').Append(segment[2..]);
            }
            else if (segment.StartsWith("k:", StringComparison.Ordinal))
            {
                var keys = JsonNode.Parse(segment[2..]) as JsonObject;
                text.Append('[').Append(string.Join(",", keys!.Select(k => $"{k.Key}={k.Value!.ToJsonString()}"))).Append(']');
            }
            else if (segment.StartsWith("v:", StringComparison.Ordinal))
            {
                text.Append("[=").Append(segment[2..]).Append(']');
            }
        }

        return text.ToString();
    }

    private static JsonNode? Step(JsonNode? node, string segment) => segment switch
    {
        "." => node,
        _ when segment.StartsWith("f:", StringComparison.Ordinal) => (node as JsonObject)?[segment[2..]],
        _ when node is JsonArray a && IndexOf(a, segment) is var i && i >= 0 => a[i],
        _ => null,
    };

    private static int IndexOf(JsonArray array, string segment)
    {
        if (segment.StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(segment[2..]) is JsonObject keys)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonObject element && keys.All(k => JsonNode.DeepEquals(element[k.Key], k.Value)))
                {
                    return i;
                }
            }
        }
        else if (segment.StartsWith("v:", StringComparison.Ordinal))
        {
            var value = JsonNode.Parse(segment[2..]);
            for (var i = 0; i < array.Count; i++)
            {
                if (JsonNode.DeepEquals(array[i], value))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private static void Walk(ResourceType type, JsonNode value, List<string> path, string key, HashSet<string> paths)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 } obj:
                foreach (var (name, child) in obj)
                {
                    if (child is null)
                    {
                        continue;
                    }

                    path.Add(name);
                    Walk(type, child, path, key + "\nf:" + name, paths);
                    path.RemoveAt(path.Count - 1);
                }

                break;
            case JsonArray array when ListSemantics.MergeKey(type, path) is { } mergeKey:
                foreach (var element in array.OfType<JsonObject>())
                {
                    var elementKey = key + "\nk:" + new JsonObject { [mergeKey] = element[mergeKey]?.DeepClone() }.ToJsonString();
                    paths.Add(elementKey + "\n.");
                    foreach (var (name, child) in element)
                    {
                        if (child is not null && name != mergeKey)
                        {
                            path.Add(name);
                            Walk(type, child, path, elementKey + "\nf:" + name, paths);
                            path.RemoveAt(path.Count - 1);
                        }
                    }
                }

                break;
            case JsonArray array when ListSemantics.IsSet(type, path):
                foreach (var element in array)
                {
                    paths.Add(key + "\nv:" + (element?.ToJsonString() ?? "null"));
                }

                break;
            default:
                paths.Add(key);
                break;
        }
    }
}
