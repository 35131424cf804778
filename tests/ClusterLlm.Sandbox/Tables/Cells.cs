using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClusterLlm.Sandbox.Tables;

/// <summary>Helpers that read table cells from objects the way the API server's printers do.</summary>
internal static class Cells
{
    public static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var segment in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = (node as JsonObject)?[segment];
        }

        return node;
    }

    public static string Str(JsonNode? node, string path, string fallback = "<none>")
    {
        var value = At(node, path);
        return value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? fallback;
    }

    public static long Int(JsonNode? node, string path) =>
        Api.JsonNumbers.AsInt64(At(node, path)) ?? 0;

    public static int Count(JsonNode? node, string path) => At(node, path) switch
    {
        JsonObject o => o.Count,
        JsonArray a => a.Count,
        _ => 0,
    };

    public static IEnumerable<JsonObject> Items(JsonNode? node, string path) => (At(node, path) as JsonArray)?.OfType<JsonObject>() ?? [];

    public static string Join(IEnumerable<string> values)
    {
        var text = string.Join(",", values);
        return text.Length == 0 ? "<none>" : text;
    }

    public static DateTimeOffset? Time(JsonNode? node, string path) =>
        At(node, path) is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public static string Age(JsonNode obj, DateTimeOffset now) => Since(Time(obj, "metadata.creationTimestamp"), now);

    public static string Since(DateTimeOffset? then, DateTimeOffset now) => then is null ? "<unknown>" : HumanDuration(now - then.Value);

    /// <summary>apimachinery's <c>duration.HumanDuration</c>: precise when short, coarse when long.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(-1))
        {
            return "<invalid>";
        }

        if (d < TimeSpan.Zero)
        {
            return "0s";
        }

        var seconds = (long)d.TotalSeconds;
        var minutes = (long)d.TotalMinutes;
        var hours = (long)d.TotalHours;
        if (seconds < 120)
        {
            return Fmt($"{seconds}s");
        }

        if (minutes < 10)
        {
            return seconds % 60 == 0 ? Fmt($"{minutes}m") : Fmt($"{minutes}m{seconds % 60}s");
        }

        if (minutes < 180)
        {
            return Fmt($"{minutes}m");
        }

        if (hours < 8)
        {
            return minutes % 60 == 0 ? Fmt($"{hours}h") : Fmt($"{hours}h{minutes % 60}m");
        }

        if (hours < 48)
        {
            return Fmt($"{hours}h");
        }

        if (hours < 24 * 8)
        {
            return hours % 24 == 0 ? Fmt($"{hours / 24}d") : Fmt($"{hours / 24}d{hours % 24}h");
        }

        if (hours < 24 * 365 * 2)
        {
            return Fmt($"{hours / 24}d");
        }

        return hours < 24 * 365 * 8 ? Fmt($"{hours / 24 / 365}y{hours / 24 % 365}d") : Fmt($"{hours / 24 / 365}y");

        static string Fmt(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
    }
}
