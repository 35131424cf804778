using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace ClusterLlm.Runtime.Serving.Protocol;

/// <summary>
/// Reads a JSON request body up to a byte limit and parses it, straight from the request pipe.
/// Oversized bodies get 413; malformed JSON or invalid UTF-8 get 400 naming where parsing stopped.
/// </summary>
internal static class RequestBodyReader
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static async ValueTask<(JsonDocument? Document, ApiError? Error)> ReadJsonAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, ApiError.BodyTooLarge(limit));
        }
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return (null, ApiError.BodyTooLarge(limit));
            }
            if (!result.IsCompleted)
            {
                // Keep everything buffered until the body is complete.
                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            try
            {
                return (Parse(buffer), null);
            }
            catch (JsonException e)
            {
                return (null, ApiError.InvalidJson(ParamOf(e.Path ?? JsonErrorLocator.Locate(buffer)), Describe(e)));
            }
            finally
            {
                reader.AdvanceTo(buffer.End);
            }
        }
    }

    /// <summary>Parses a body, rejecting invalid UTF-8 anywhere in it (which <see cref="JsonDocument"/> itself lets through).</summary>
    internal static JsonDocument Parse(ReadOnlySequence<byte> body)
    {
        if (body.IsEmpty)
        {
            throw new JsonException("The request body is empty.", "$", 0, 0);
        }
        var document = JsonDocument.Parse(body, Options);
        var valid = body.IsSingleSegment ? Utf8.IsValid(body.FirstSpan) : Utf8.IsValid(body.ToArray());
        if (!valid)
        {
            var path = FindInvalidText(document.RootElement, "$");
            document.Dispose();
            throw new JsonException("The request body is not valid UTF-8.", path ?? "$", null, null);
        }
        return document;
    }

    /// <summary>The path of the first property name or string that does not decode; only runs on a bad body.</summary>
    private static string? FindInvalidText(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Utf8.IsValid(JsonMarshal.GetRawUtf8Value(element)) ? null : path;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindInvalidText(item, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }
                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var rawName = JsonMarshal.GetRawUtf8PropertyName(property);
                    if (!Utf8.IsValid(rawName))
                    {
                        // The name cannot be decoded exactly; replacement characters show where it breaks.
                        return $"{path}.{System.Text.Encoding.UTF8.GetString(rawName)}";
                    }
                    if (FindInvalidText(property.Value, $"{path}.{property.Name}") is { } found)
                    {
                        return found;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>A JSON path such as <c>$.messages[0].content</c> as an OpenAI <c>param</c>: <c>messages[0].content</c>.</summary>
    internal static string? ParamOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string Describe(JsonException e)
    {
        // System.Text.Json's messages end with the path and position, which we report as 'param'.
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
