using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ClusterLlm.Sandbox.Crds;

/// <summary>
/// The JSONPath subset printer columns use: <c>.a.b</c>, <c>[0]</c>, <c>[*]</c> and filters like
/// <c>[?(@.type=="Ready")]</c>. Multiple matches are joined with commas, as kubectl's printer does.
/// </summary>
internal static partial class JsonPathCell
{
    public static JsonNode? Evaluate(JsonNode root, string path)
    {
        var expression = path.Trim();
        if (expression.StartsWith('{') && expression.EndsWith('}'))
        {
            expression = expression[1..^1];
        }

        expression = expression.TrimStart('$');
        var current = new List<JsonNode?> { root };
        foreach (Match token in Tokens().Matches(expression))
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
            {
                if (token.Groups["field"].Success)
                {
                    if ((node as JsonObject)?[token.Groups["field"].Value] is { } child)
                    {
                        next.Add(child);
                    }
                }
                else if (token.Groups["index"].Success && node is JsonArray indexed)
                {
                    var index = int.Parse(token.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (index < 0)
                    {
                        index += indexed.Count;
                    }

                    if (index >= 0 && index < indexed.Count)
                    {
                        next.Add(indexed[index]);
                    }
                }
                else if (token.Groups["all"].Success && node is JsonArray all)
                {
                    next.AddRange(all);
                }
                else if (token.Groups["filter"].Success && node is JsonArray filtered)
                {
                    var field = token.Groups["filter"].Value;
                    var expected = token.Groups["value"].Value;
                    next.AddRange(filtered.Where(e => (e as JsonObject)?[field] is JsonValue v && Text(v) == expected));
                }
            }

            current = next;
        }

        return current.Count switch
        {
            0 => null,
            1 => current[0]?.DeepClone(),
            _ => JsonValue.Create(string.Join(",", current.Select(Text))),
        };
    }

    private static string Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node?.ToJsonString() ?? "";

    [GeneratedRegex("""\.(?<field>[A-Za-z0-9_\-/]+)|\[(?<index>-?\d+)\]|\[(?<all>\*)\]|\[\?\(@\.(?<filter>[A-Za-z0-9_\-]+)\s*==\s*["'](?<value>[^"']*)["']\)\]|\['(?<field>[^']+)'\]""")]
    private static partial Regex Tokens();
}
