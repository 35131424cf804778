using System.Text.Json.Nodes;

namespace ClusterLlm.Sandbox.Tables;

/// <summary>
/// A column of a server-side Table. <see cref="Value"/> computes the cell from the stored object;
/// CRD columns evaluate their JSONPath, built-ins use the same rules as the API server's printers.
/// </summary>
internal sealed record PrinterColumn(string Name, string Type, int Priority, string Description, Func<JsonObject, DateTimeOffset, JsonNode?> Value)
{
    public string Format { get; init; } = "";
}
