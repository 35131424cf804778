using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClusterLlm.Sandbox.Api;

namespace ClusterLlm.Sandbox.Crds;

/// <summary>
/// Validates an object against a structural <c>openAPIV3Schema</c>, wording each failure as the API
/// server's kube-openapi validator does, e.g.
/// <c>spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0</c>.
/// </summary>
internal static class SchemaValidator
{
    public static List<StatusCause> Validate(JsonObject schema, JsonObject obj)
    {
        var causes = new List<StatusCause>();
        var properties = schema["properties"] as JsonObject;
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            if (properties?[key] is JsonObject child)
            {
                Check(child, value, key, causes);
            }
        }

        foreach (var required in (schema["required"] as JsonArray)?.Select(r => r!.GetValue<string>()) ?? [])
        {
            if (required is not "apiVersion" and not "kind" and not "metadata" && obj[required] is null)
            {
                causes.Add(new StatusCause("FieldValueRequired", "Required value", required));
            }
        }

        return causes;
    }

    private static void Check(JsonObject schema, JsonNode? value, string path, List<StatusCause> causes)
    {
        if (value is null || (value is JsonValue nv && nv.GetValueKind() == JsonValueKind.Null))
        {
            if (schema["nullable"]?.GetValue<bool>() != true && schema["type"]?.GetValue<string>() is { } expected)
            {
                causes.Add(Invalid(path, "\"null\"", $"{path} in body must be of type {expected}: \"null\""));
            }

            return;
        }

        if (schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            var kind = value.GetValueKind();
            if (kind != JsonValueKind.String && !(kind == JsonValueKind.Number && IsInteger(value)))
            {
                causes.Add(Invalid(path, Render(value), $"{path} in body must be of type integer,string: {TypeName(value)}"));
                return;
            }
        }
        else if (schema["type"]?.GetValue<string>() is { } type && !HasType(value, type))
        {
            causes.Add(Invalid(path, $"\"{TypeName(value)}\"", $"{path} in body must be of type {type}: \"{TypeName(value)}\""));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            causes.Add(new StatusCause("FieldValueNotSupported", $"Unsupported value: {Render(value)}: supported values: {string.Join(", ", allowed.Select(Render))}", path));
        }

        switch (value)
        {
            case JsonObject obj:
                CheckObject(schema, obj, path, causes);
                break;
            case JsonArray array:
                CheckArray(schema, array, path, causes);
                break;
            case JsonValue scalar when scalar.GetValueKind() == JsonValueKind.Number:
                CheckNumber(schema, scalar.AsDouble()!.Value, Render(value), path, causes);
                break;
            case JsonValue scalar when scalar.GetValueKind() == JsonValueKind.String:
                CheckString(schema, scalar.GetValue<string>(), path, causes);
                break;
        }
    }

    private static void CheckObject(JsonObject schema, JsonObject obj, string path, List<StatusCause> causes)
    {
        var properties = schema["properties"] as JsonObject;
        foreach (var (key, child) in obj)
        {
            var childSchema = properties?[key] as JsonObject ?? schema["additionalProperties"] as JsonObject;
            if (childSchema is not null)
            {
                Check(childSchema, child, $"{path}.{key}", causes);
            }
        }

        foreach (var required in (schema["required"] as JsonArray)?.Select(r => r!.GetValue<string>()) ?? [])
        {
            if (!obj.ContainsKey(required))
            {
                causes.Add(new StatusCause("FieldValueRequired", "Required value", $"{path}.{required}"));
            }
        }

        if (schema["minProperties"].AsInt64() is { } min && obj.Count < min)
        {
            causes.Add(Invalid(path, obj.Count.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {min} properties"));
        }

        if (schema["maxProperties"].AsInt64() is { } max && obj.Count > max)
        {
            causes.Add(new StatusCause("FieldValueTooMany", $"Too many: {obj.Count}: must have at most {max} items", path));
        }
    }

    private static void CheckArray(JsonObject schema, JsonArray array, string path, List<StatusCause> causes)
    {
        if (schema["minItems"].AsInt64() is { } min && array.Count < min)
        {
            causes.Add(Invalid(path, array.Count.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {min} items"));
        }

        if (schema["maxItems"].AsInt64() is { } max && array.Count > max)
        {
            causes.Add(new StatusCause("FieldValueTooMany", $"Too many: {array.Count}: must have at most {max} items", path));
        }

        if (schema["uniqueItems"]?.GetValue<bool>() == true || schema["x-kubernetes-list-type"]?.GetValue<string>() == "set")
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (array.Take(i).Any(prior => JsonNode.DeepEquals(prior, array[i])))
                {
                    causes.Add(new StatusCause("FieldValueDuplicate", $"Duplicate value: {Render(array[i])}", $"{path}[{i}]"));
                }
            }
        }

        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(items, array[i], $"{path}[{i}]", causes);
            }
        }
    }

    private static void CheckNumber(JsonObject schema, double number, string rendered, string path, List<StatusCause> causes)
    {
        var exclusiveMin = schema["exclusiveMinimum"]?.GetValue<bool>() == true;
        var exclusiveMax = schema["exclusiveMaximum"]?.GetValue<bool>() == true;
        if (schema["minimum"] is JsonValue minimum && (exclusiveMin ? number <= minimum.AsDouble() : number < minimum.AsDouble()))
        {
            causes.Add(Invalid(path, rendered, $"{path} in body should be greater than {(exclusiveMin ? "" : "or equal to ")}{Render(minimum)}"));
        }

        if (schema["maximum"] is JsonValue maximum && (exclusiveMax ? number >= maximum.AsDouble() : number > maximum.AsDouble()))
        {
            causes.Add(Invalid(path, rendered, $"{path} in body should be less than {(exclusiveMax ? "" : "or equal to ")}{Render(maximum)}"));
        }

        if (schema["multipleOf"] is JsonValue multiple && multiple.AsDouble() is { } factor && factor != 0 && Math.Abs(Math.IEEERemainder(number, factor)) > 1e-9)
        {
            causes.Add(Invalid(path, rendered, $"{path} in body should be a multiple of {Render(multiple)}"));
        }
    }

    private static void CheckString(JsonObject schema, string text, string path, List<StatusCause> causes)
    {
        var length = text.EnumerateRunes().Count();
        if (schema["minLength"].AsInt64() is { } min && length < min)
        {
            causes.Add(Invalid(path, Quote(text), $"{path} in body should be at least {min} chars long"));
        }

        if (schema["maxLength"].AsInt64() is { } max && length > max)
        {
            causes.Add(new StatusCause("FieldValueTooLong", $"Too long: may not be more than {max} bytes", path));
        }

        if (schema["pattern"]?.GetValue<string>() is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            causes.Add(Invalid(path, Quote(text), $"{path} in body should match '{pattern}'"));
        }

        if (schema["format"]?.GetValue<string>() is { } format && !Formats.IsValid(format, text))
        {
            causes.Add(Invalid(path, Quote(text), $"{path} in body must be of type {format}: {Quote(text)}"));
        }
    }

    private static StatusCause Invalid(string path, string rendered, string detail) =>
        new("FieldValueInvalid", $"Invalid value: {rendered}: {detail}", path);

    private static bool HasType(JsonNode value, string type) => type switch
    {
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => value.GetValueKind() == JsonValueKind.String,
        "boolean" => value.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "integer" => value.GetValueKind() == JsonValueKind.Number && IsInteger(value),
        "number" => value.GetValueKind() == JsonValueKind.Number,
        _ => true,
    };

    private static bool IsInteger(JsonNode value) => value.AsInt64() is not null;

    private static string TypeName(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => IsInteger(value) ? "integer" : "number",
        _ => "null",
    };

    /// <summary>How Go's <c>%v</c>/<c>%q</c> print a value inside a field error.</summary>
    private static string Render(JsonNode? value) => value?.GetValueKind() switch
    {
        JsonValueKind.String => Quote(value.GetValue<string>()),
        null or JsonValueKind.Null => "null",
        _ => value.ToJsonString(),
    };

    private static string Quote(string text) => JsonSerializer.Serialize(text);
}
