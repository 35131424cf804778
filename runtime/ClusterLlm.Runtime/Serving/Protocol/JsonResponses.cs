using System.Text.Json;

namespace ClusterLlm.Runtime.Serving.Protocol;

internal static class JsonResponses
{
    /// <summary>A JSON body written straight into the response pipe.</summary>
    public static async Task WriteAsync(HttpContext http, Action<Utf8JsonWriter> write, int statusCode = StatusCodes.Status200OK)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "application/json; charset=utf-8";
        using (var json = new Utf8JsonWriter(http.Response.BodyWriter, JsonWriting.Options))
        {
            write(json);
        }
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }
}
