using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;

namespace ClusterLlm.Sandbox.Patching;

/// <summary>
/// RFC 7386 JSON merge patch, and strategic merge patch on top of it: lists with a merge key
/// (see <see cref="ListSemantics"/>) merge element by element, set lists merge as sets, and the
/// <c>$patch</c>, <c>$retainKeys</c>, <c>$deleteFromPrimitiveList</c> and <c>$setElementOrder</c>
/// directives are honoured. Any other list is replaced, as in a merge patch.
/// </summary>
internal static class MergePatch
{
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch) => Apply(target, patch, null, []);

    public static JsonNode? Strategic(ResourceType type, JsonNode? target, JsonNode? patch) => Apply(target, patch, type, []);

    private static JsonNode? Apply(JsonNode? target, JsonNode? patch, ResourceType? type, List<string> path)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        if (type is not null && patchObject["$patch"]?.GetValue<string>() == "replace")
        {
            var replaced = (JsonObject)patchObject.DeepClone();
            replaced.Remove("$patch");
            return replaced;
        }

        var result = target as JsonObject is { } t ? (JsonObject)t.DeepClone() : [];
        if (type is not null && patchObject["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k?.GetValue<string>()).ToHashSet();
            foreach (var key in result.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                result.Remove(key);
            }
        }

        foreach (var (key, value) in patchObject)
        {
            if (type is not null && key.StartsWith('$'))
            {
                if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal) && value is JsonArray remove)
                {
                    var field = key["$deleteFromPrimitiveList/".Length..];
                    if (result[field] is JsonArray list)
                    {
                        var drop = remove.Select(v => v?.ToJsonString()).ToHashSet();
                        result[field] = new JsonArray(list.Where(v => !drop.Contains(v?.ToJsonString())).Select(v => v?.DeepClone()).ToArray());
                    }
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            path.Add(key);
            result[key] = value switch
            {
                JsonArray array when type is not null => MergeList(type, result[key] as JsonArray, array, path),
                JsonObject => Apply(result[key], value, type, path),
                _ => value.DeepClone(),
            };
            path.RemoveAt(path.Count - 1);
        }

        return result;
    }

    private static JsonArray MergeList(ResourceType type, JsonArray? current, JsonArray patch, List<string> path)
    {
        if (patch.OfType<JsonObject>().Any(e => e["$patch"]?.GetValue<string>() == "replace"))
        {
            return new JsonArray(patch.Where(e => e is not JsonObject o || o["$patch"] is null).Select(e => e?.DeepClone()).ToArray());
        }

        if (ListSemantics.MergeKey(type, path) is { } key)
        {
            var merged = current is null ? [] : (JsonArray)current.DeepClone();
            foreach (var element in patch.OfType<JsonObject>())
            {
                var keyValue = element[key];
                if (keyValue is null)
                {
                    throw new ApiException(422, "Invalid", $"map: {element.ToJsonString()} does not contain declared merge key: {key}");
                }

                var index = IndexOf(merged, key, keyValue);
                if (element["$patch"]?.GetValue<string>() == "delete")
                {
                    if (index >= 0)
                    {
                        merged.RemoveAt(index);
                    }

                    continue;
                }

                if (index >= 0)
                {
                    merged[index] = Apply(merged[index], element, type, path);
                }
                else
                {
                    merged.Add(Apply(null, element, type, path));
                }
            }

            return merged;
        }

        if (ListSemantics.IsSet(type, path))
        {
            var merged = current is null ? [] : (JsonArray)current.DeepClone();
            foreach (var value in patch)
            {
                if (!merged.Any(m => JsonNode.DeepEquals(m, value)))
                {
                    merged.Add(value?.DeepClone());
                }
            }

            return merged;
        }

        return (JsonArray)patch.DeepClone();
    }

    private static int IndexOf(JsonArray list, string key, JsonNode keyValue)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (JsonNode.DeepEquals((list[i] as JsonObject)?[key], keyValue))
            {
                return i;
            }
        }

        return -1;
    }
}
