using System.Globalization;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace ClusterLlm.Runtime.Serving.Protocol;

/// <summary>Writes <see cref="ApiError"/>s: as a response, or as an SSE event once a stream has begun.</summary>
internal static class ErrorResponses
{
    public static async Task WriteAsync(HttpContext http, ApiError error)
    {
        var response = http.Response;
        if (response.HasStarted)
        {
            return;
        }
        response.StatusCode = error.Status;
        response.ContentType = "application/json; charset=utf-8";
        if (error.RetryAfterSeconds is { } seconds)
        {
            response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        }
        using (var json = new Utf8JsonWriter(response.BodyWriter, JsonWriting.Options))
        {
            WriteErrorObject(json, error);
        }
        await response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary><c>{"error":{"message","type","param","code"}}</c>.</summary>
    public static void WriteErrorObject(Utf8JsonWriter json, ApiError error)
    {
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", error.Message);
        json.WriteString("type", error.Type);
        json.WriteString("param", error.Param);
        json.WriteString("code", error.Code);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
