using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;

namespace ClusterLlm.Sandbox.Crds;

/// <summary>
/// What a CRD's structural schema does to custom resources on write: unknown fields are pruned
/// (or rejected under <c>fieldValidation=Strict</c>), defaults fill absent fields, and the result is
/// validated. Built-in kinds pass through unchanged.
/// </summary>
internal static class CustomResourceSchemas
{
    public static void Normalize(ResourceType type, JsonObject obj, RequestOptions options)
    {
        if (type.CrdSchema is not { } schema)
        {
            return;
        }

        var unknown = new List<string>();
        foreach (var (key, value) in obj.ToList())
        {
            if (key is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            if ((schema["properties"] as JsonObject)?[key] is JsonObject child)
            {
                Prune(child, value, key, unknown);
            }
            else if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() != true)
            {
                obj.Remove(key);
                unknown.Add(key);
            }
        }

        if (unknown.Count > 0 && options.FieldValidation == "Strict")
        {
            var detail = unknown.Count == 1
                ? $"unknown field \"{unknown[0]}\""
                : string.Join(", ", unknown.Select(u => $"unknown field \"{u}\""));
            throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {detail}");
        }

        Default(schema, obj, isRoot: true);
    }

    /// <summary>Validates a custom resource against its schema; 422 Invalid lists every failure.</summary>
    public static void Validate(ResourceType type, JsonObject obj)
    {
        if (type.CrdSchema is not { } schema)
        {
            return;
        }

        var causes = SchemaValidator.Validate(schema, obj);
        if (causes.Count > 0)
        {
            throw ApiException.Invalid(type.Kind, type.Group, ObjectMeta.Get(obj, "name") ?? "", causes);
        }
    }

    private static void Prune(JsonObject schema, JsonNode? value, string path, List<string> unknown)
    {
        if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true && schema["properties"] is null)
        {
            return;
        }

        switch (value)
        {
            case JsonObject obj:
                var properties = schema["properties"] as JsonObject;
                var additional = schema["additionalProperties"] as JsonObject;
                var preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
                foreach (var (key, child) in obj.ToList())
                {
                    var childSchema = properties?[key] as JsonObject ?? additional;
                    if (childSchema is not null)
                    {
                        Prune(childSchema, child, $"{path}.{key}", unknown);
                    }
                    else if (!preserve && schema["additionalProperties"]?.GetValueKind() != System.Text.Json.JsonValueKind.True)
                    {
                        obj.Remove(key);
                        unknown.Add($"{path}.{key}");
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    Prune(items, array[i], $"{path}[{i}]", unknown);
                }

                break;
        }
    }

    private static void Default(JsonObject schema, JsonNode? value, bool isRoot = false)
    {
        switch (value)
        {
            case JsonObject obj:
                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var (key, childSchema) in properties)
                    {
                        if (isRoot && key is "apiVersion" or "kind" or "metadata" || childSchema is not JsonObject child)
                        {
                            continue;
                        }

                        if (!obj.ContainsKey(key) && child["default"] is { } defaultValue)
                        {
                            obj[key] = defaultValue.DeepClone();
                        }

                        Default(child, obj[key]);
                    }
                }

                if (schema["additionalProperties"] is JsonObject additional)
                {
                    foreach (var (key, child) in obj.ToList())
                    {
                        if ((schema["properties"] as JsonObject)?.ContainsKey(key) != true)
                        {
                            Default(additional, child);
                        }
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                foreach (var element in array)
                {
                    Default(items, element);
                }

                break;
        }
    }
}
