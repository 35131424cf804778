using System.Text.Json.Serialization;
using ClusterLlm.Gguf;

namespace ClusterLlm.Runtime.Pull;

/// <summary>
/// What a successful pull reports, as JSON in the termination log (read by the operator from the Job
/// pod's <c>state.terminated.message</c>) and on stdout.
/// </summary>
internal sealed record PullResult
{
    /// <summary>The model's path: the file, or the first part of a split model.</summary>
    [JsonPropertyName("path")]
    public required string Path { get; init; }

    /// <summary>Bytes of all files.</summary>
    [JsonPropertyName("sizeBytes")]
    public required long SizeBytes { get; init; }

    /// <summary>The file's sha256 (the first part's, for a split model; each part's is in <see cref="Files"/>).</summary>
    [JsonPropertyName("sha256")]
    public required string Sha256 { get; init; }

    [JsonPropertyName("resolvedRevision")]
    public string? ResolvedRevision { get; init; }

    /// <summary>Every file with its own size and digest; left out when the message would exceed the limit.</summary>
    [JsonPropertyName("files")]
    public IReadOnlyList<PulledFile>? Files { get; init; }

    /// <summary>True when nothing was downloaded because every file was already verified.</summary>
    [JsonPropertyName("reused")]
    public bool Reused { get; init; }

    [JsonPropertyName("attempts")]
    public int Attempts { get; init; }

    [JsonPropertyName("gguf")]
    public GgufFacts? Gguf { get; init; }
}

internal sealed record PulledFile(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("sizeBytes")] long SizeBytes,
    [property: JsonPropertyName("sha256")] string Sha256);

/// <summary>What a failed pull reports in the termination log.</summary>
internal sealed record PullError(
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("exitCode")] int ExitCode,
    [property: JsonPropertyName("retryable")] bool Retryable,
    [property: JsonPropertyName("message")] string Message);

internal sealed record PullErrorEnvelope([property: JsonPropertyName("error")] PullError Error);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PullResult))]
[JsonSerializable(typeof(PullErrorEnvelope))]
[JsonSerializable(typeof(VerifiedFileRecord))]
internal sealed partial class PullJsonContext : JsonSerializerContext;
