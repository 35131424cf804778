using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;

namespace ClusterLlm.Sandbox.Patching;

/// <summary>The four PATCH content types the API server accepts.</summary>
internal enum PatchKind
{
    Json,
    Merge,
    Strategic,
    Apply,
}

/// <summary>Reads PATCH bodies by content type and applies the non-apply kinds.</summary>
internal static class PatchTypes
{
    public static PatchKind FromContentType(string? contentType)
    {
        var media = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        return media switch
        {
            "application/json-patch+json" => PatchKind.Json,
            "application/merge-patch+json" => PatchKind.Merge,
            "application/strategic-merge-patch+json" => PatchKind.Strategic,
            "application/apply-patch+yaml" or "application/apply-patch+json" or "application/apply-patch+cbor" => PatchKind.Apply,
            _ => throw ApiException.UnsupportedMediaType(contentType ?? ""),
        };
    }

    public static JsonObject Apply(PatchKind kind, ResourceType type, JsonObject target, byte[] patch)
    {
        var node = ParseJson(patch);
        JsonNode? result = kind switch
        {
            PatchKind.Json => node is JsonArray operations ? JsonPatch.Apply(target, operations) : throw ApiException.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
            PatchKind.Merge => MergePatch.Merge(target, node),
            PatchKind.Strategic when type.IsCustom => throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"),
            _ => MergePatch.Strategic(type, target, node),
        };
        return result as JsonObject ?? throw ApiException.BadRequest("the patch did not produce an object");
    }

    /// <summary>An apply configuration: JSON, or YAML converted to JSON.</summary>
    public static JsonObject ParseApply(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body).TrimStart();
        if (text.StartsWith('{'))
        {
            return ParseJson(body) as JsonObject ?? throw ApiException.BadRequest("apply configuration must be an object");
        }

        try
        {
            var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object?>(text);
            return YamlToJson(yaml) as JsonObject ?? throw ApiException.BadRequest("apply configuration must be an object");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw ApiException.BadRequest("error decoding YAML: " + e.Message);
        }
    }

    public static JsonNode? ParseJson(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest("error decoding patch: " + e.Message);
        }
    }

    /// <summary>YAML scalars arrive untyped; they become JSON numbers, booleans and nulls by YAML 1.2 core rules.</summary>
    private static JsonNode? YamlToJson(object? value) => value switch
    {
        null => null,
        Dictionary<object, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key.ToString()!, YamlToJson(p.Value)))),
        List<object?> list => new JsonArray(list.Select(YamlToJson).ToArray()),
        string s => Scalar(s),
        _ => JsonValue.Create(value.ToString()),
    };

    private static JsonValue? Scalar(string s)
    {
        if (s is "null" or "~")
        {
            return null;
        }

        if (s is "true" or "false")
        {
            return JsonValue.Create(s == "true");
        }

        if (long.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        return double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && s.Any(char.IsDigit) && !s.Contains(' ', StringComparison.Ordinal)
            ? JsonValue.Create(d)
            : JsonValue.Create(s);
    }
}
