using System.Text.Encodings.Web;
using System.Text.Json;

namespace ClusterLlm.Runtime.Serving.Protocol;

internal static class JsonWriting
{
    /// <summary>
    /// Non-ASCII text goes out as UTF-8, not <c>\uXXXX</c>: valid JSON, and a third of the bytes for
    /// most scripts. Responses are JSON bodies, never HTML, so the relaxed encoder is safe.
    /// </summary>
    public static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };
}
