using System.Text.Json;
using System.Text.Json.Nodes;


namespace ClusterLlm.Sandbox.Storage;

/// <summary>
/// One committed version of an object. It is never mutated after commit: readers share the parsed
/// tree, and lists and watch events copy <see cref="Json"/> instead of serialising again.
/// </summary>
internal sealed class StoredObject
{
    public StoredObject(JsonObject obj, long resourceVersion)
    {
        Materialize(obj);
        Object = obj;
        ResourceVersion = resourceVersion;
        var metadata = obj["metadata"] as JsonObject;
        Name = metadata?["name"]?.GetValue<string>() ?? "";
        Namespace = metadata?["namespace"]?.GetValue<string>() ?? "";
        Uid = metadata?["uid"]?.GetValue<string>() ?? "";
        Json = JsonSerializer.SerializeToUtf8Bytes(obj, Api.Json.Options);
    }

    /// <summary>The committed object; treat as read-only and <c>DeepClone</c> before changing it.</summary>
    public JsonObject Object { get; }

    public byte[] Json { get; }

    public long ResourceVersion { get; }

    public string Namespace { get; }

    public string Name { get; }

    public string Uid { get; }

    public JsonObject? Metadata => Object["metadata"] as JsonObject;

    public JsonObject? Labels => Metadata?["labels"] as JsonObject;

    public JsonObject Clone() => (JsonObject)Object.DeepClone();

    /// <summary>
    /// A parsed <see cref="JsonObject"/> builds its property table lazily, which is not thread-safe;
    /// walking it once before publication makes concurrent reads safe.
    /// </summary>
    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    Materialize(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Materialize(child);
                }

                break;
        }
    }
}
