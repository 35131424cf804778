using System.Text.Json.Nodes;

namespace ClusterLlm.Sandbox.Api;

/// <summary>
/// Number reads that work whether a value was parsed from JSON or set in code: a
/// <see cref="JsonValue"/> holding an <c>int</c> refuses <c>GetValue&lt;long&gt;</c>.
/// </summary>
internal static class JsonNumbers
{
    public static long? AsInt64(this JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<int>(out var i))
        {
            return i;
        }

        return value.TryGetValue<double>(out var d) && Math.Floor(d) == d ? (long)d : null;
    }

    public static double? AsDouble(this JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<double>(out var d))
        {
            return d;
        }

        return value.AsInt64();
    }
}
