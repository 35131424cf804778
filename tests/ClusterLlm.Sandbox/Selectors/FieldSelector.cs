using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;

namespace ClusterLlm.Sandbox.Selectors;

/// <summary>
/// A parsed field selector (<c>f=v</c>, <c>f==v</c>, <c>f!=v</c>, ANDed). Only the fields a resource
/// declares selectable are accepted, with the API server's error for any other.
/// </summary>
internal sealed class FieldSelector
{
    private readonly IReadOnlyList<(string[] Path, string Value, bool Equal)> _terms;

    private FieldSelector(IReadOnlyList<(string[] Path, string Value, bool Equal)> terms, string? name)
    {
        _terms = terms;
        Name = name;
    }

    public static FieldSelector Everything { get; } = new([], null);

    /// <summary>The name a <c>metadata.name=</c> term pins, so single-object list+watch (kubectl wait) skips a scan.</summary>
    public string? Name { get; }

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var terms = new List<(string[], string, bool)>();
        string? name = null;
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var (field, value, equal) = Split(term, text);
            if (field is not "metadata.name" and not "metadata.namespace" && !type.SelectableFields.Contains(field))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }

            if (field == "metadata.name" && equal)
            {
                name = value;
            }

            terms.Add((field.Split('.'), value, equal));
        }

        return new FieldSelector(terms, name);
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (path, value, equal) in _terms)
        {
            JsonNode? node = obj;
            foreach (var segment in path)
            {
                node = (node as JsonObject)?[segment];
            }

            var actual = node switch
            {
                null => "",
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                _ => node.ToJsonString(),
            };
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static (string Field, string Value, bool Equal) Split(string term, string whole)
    {
        foreach (var (token, equal) in new[] { ("!=", false), ("==", true), ("=", true) })
        {
            var index = term.IndexOf(token, StringComparison.Ordinal);
            if (index > 0)
            {
                return (term[..index].Trim(), term[(index + token.Length)..].Trim(), equal);
            }
        }

        throw ApiException.BadRequest($"invalid selector: '{whole}'; can't understand '{term}'");
    }
}
