using System.Text.Json;

namespace ClusterLlm.Runtime.Serving.Protocol;

/// <summary>
/// Typed, range-checked reads of optional request fields. Each returns the error naming the field,
/// or null with the value (null when the field is absent or JSON null).
/// </summary>
internal static class JsonFields
{
    public static ApiError? Number(JsonElement obj, string name, double min, double max, out double? value, string? param = null)
    {
        var p = param ?? name;
        value = null;
        if (!TryGet(obj, name, out var e))
        {
            return null;
        }
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            return ApiError.InvalidType(p, "a number");
        }
        if (d < min || d > max)
        {
            return ApiError.InvalidParameter(p, $"'{p}' must be between {min} and {max}; got {d}.");
        }
        value = d;
        return null;
    }

    public static ApiError? Integer(JsonElement obj, string name, long min, long max, out long? value, string? param = null)
    {
        var p = param ?? name;
        value = null;
        if (!TryGet(obj, name, out var e))
        {
            return null;
        }
        if (e.ValueKind != JsonValueKind.Number)
        {
            return ApiError.InvalidType(p, "an integer");
        }
        if (!e.TryGetInt64(out var l))
        {
            // A fraction, or beyond 64 bits: say which.
            return e.TryGetDouble(out var d) && Math.Floor(d) == d
                ? ApiError.InvalidParameter(p, $"'{p}' must be between {min} and {max}; got {e.GetRawText()}.")
                : ApiError.InvalidType(p, "an integer");
        }
        if (l < min || l > max)
        {
            return ApiError.InvalidParameter(p, $"'{p}' must be between {min} and {max}; got {l}.");
        }
        value = l;
        return null;
    }

    public static ApiError? Boolean(JsonElement obj, string name, out bool? value, string? param = null)
    {
        var p = param ?? name;
        value = null;
        if (!TryGet(obj, name, out var e))
        {
            return null;
        }
        if (e.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return ApiError.InvalidType(p, "a boolean");
        }
        value = e.GetBoolean();
        return null;
    }

    public static ApiError? String(JsonElement obj, string name, out string? value, string? param = null)
    {
        var p = param ?? name;
        value = null;
        if (!TryGet(obj, name, out var e))
        {
            return null;
        }
        if (e.ValueKind != JsonValueKind.String)
        {
            return ApiError.InvalidType(p, "a string");
        }
        value = e.GetString();
        return null;
    }

    /// <summary>The field, when present and not JSON null.</summary>
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
        => obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
}
