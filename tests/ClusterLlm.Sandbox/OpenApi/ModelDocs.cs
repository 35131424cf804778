using System.Xml;

namespace ClusterLlm.Sandbox.OpenApi;

/// <summary>
/// Descriptions of KubernetesClient's model types and properties, read from the XML documentation
/// file shipped with the package (the same text as the API server's OpenAPI descriptions).
/// </summary>
internal static class ModelDocs
{
    private static readonly Lazy<Dictionary<string, string>> Summaries = new(Load);

    public static string? Type(Type type) => Summaries.Value.GetValueOrDefault("T:" + type.FullName);

    public static string? Property(Type type, string property) => Summaries.Value.GetValueOrDefault($"P:{type.FullName}.{property}");

    private static Dictionary<string, string> Load()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = Path.ChangeExtension(typeof(k8s.Models.V1Pod).Assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            return result;
        }

        using var reader = XmlReader.Create(path, new XmlReaderSettings { IgnoreWhitespace = false, DtdProcessing = DtdProcessing.Prohibit });
        string? member = null;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (reader.Name == "member")
            {
                var name = reader.GetAttribute("name");
                member = name is not null && name.Contains("k8s.Models.", StringComparison.Ordinal) && name[0] is 'T' or 'P' ? name : null;
            }
            else if (reader.Name == "summary" && member is not null)
            {
                var text = reader.ReadElementContentAsString();
                result[member] = string.Join(" ", text.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                member = null;
            }
        }

        return result;
    }
}
