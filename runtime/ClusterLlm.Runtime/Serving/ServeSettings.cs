namespace ClusterLlm.Runtime.Serving;

/// <summary>
/// Everything <c>clusterllm-runtime serve</c> was told, from flags or <c>CLUSTERLLM_*</c> variables.
/// Null engine values mean "the engine's default".
/// </summary>
internal sealed record ServeSettings
{
    public required string ModelPath { get; init; }

    public string? Alias { get; init; }

    public string Host { get; init; } = "0.0.0.0";

    public int Port { get; init; } = 8080;

    public int? ContextSize { get; init; }

    public int? Parallel { get; init; }

    public int? GpuLayers { get; init; }

    public int? BatchSize { get; init; }

    public int? MicroBatchSize { get; init; }

    public string? FlashAttention { get; init; }

    public string? CacheTypeK { get; init; }

    public string? CacheTypeV { get; init; }

    public int? Threads { get; init; }

    public int? MaxQueue { get; init; }

    public string? ApiKeyFile { get; init; }

    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan SsePingInterval { get; init; } = TimeSpan.FromSeconds(15);

    public string Pool { get; init; } = string.Empty;

    public string Revision { get; init; } = string.Empty;

    /// <summary>The model id clients use: <c>--alias</c>, or the file name without <c>.gguf</c>.</summary>
    public string EffectiveAlias => string.IsNullOrWhiteSpace(Alias)
        ? Path.GetFileNameWithoutExtension(ModelPath)
        : Alias;
}
