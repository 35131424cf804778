using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Storage;
using ClusterLlm.Sandbox.Tables;
using Microsoft.AspNetCore.Http;

namespace ClusterLlm.Sandbox.Api;

/// <summary>Writes API responses; stored objects are copied as their cached JSON, never re-serialised.</summary>
internal static class Responses
{
    public static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body, Json.Options), context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task WriteObjectAsync(HttpContext context, int status, ResourceType type, StoredObject obj)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Bytes(type, obj), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The object's JSON in the requested version; other versions of a CRD differ only in apiVersion.</summary>
    public static byte[] Bytes(ResourceType type, StoredObject obj)
    {
        if (obj.Object["apiVersion"]?.GetValue<string>() == type.ApiVersion)
        {
            return obj.Json;
        }

        var converted = obj.Clone();
        converted["apiVersion"] = type.ApiVersion;
        return JsonSerializer.SerializeToUtf8Bytes(converted, Json.Options);
    }

    public static async Task WriteListAsync(HttpContext context, ResourceType type, IReadOnlyList<StoredObject> items, string resourceVersion, string? continueToken)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        var body = context.Response.BodyWriter;
        await using (var writer = new Utf8JsonWriter(body, Json.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", type.ListKind);
            writer.WriteString("apiVersion", type.ApiVersion);
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", resourceVersion);
            if (continueToken is not null)
            {
                writer.WriteString("continue", continueToken);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("items");
            foreach (var item in items)
            {
                writer.WriteRawValue(Bytes(type, item), skipInputValidation: true);
                if (writer.BytesPending > 32 * 1024)
                {
                    await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    public static bool WantsTable(HttpContext context) =>
        context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    public static IncludeObject Include(HttpContext context) => context.Request.Query["includeObject"].ToString() switch
    {
        "None" => IncludeObject.None,
        "Object" => IncludeObject.Object,
        _ => IncludeObject.Metadata,
    };
}
