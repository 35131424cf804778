using System.Text.Encodings.Web;
using System.Text.Json;

namespace ClusterLlm.Sandbox.Api;

/// <summary>Serializer settings for everything the sandbox writes: Go's encoding, without HTML escaping of quotes.</summary>
internal static class Json
{
    public static JsonSerializerOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
}
