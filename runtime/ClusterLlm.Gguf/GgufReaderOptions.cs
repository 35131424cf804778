namespace ClusterLlm.Gguf;

/// <summary>
/// Limits that keep a hostile file from costing more than a bounded amount of memory. Every count and
/// length is also checked against the bytes the file actually has left, whatever these limits say.
/// </summary>
public sealed record GgufReaderOptions
{
    public static GgufReaderOptions Default { get; } = new();

    /// <summary>Most metadata entries a file may declare.</summary>
    public long MaxMetadataEntries { get; init; } = 1 << 16;

    /// <summary>Most tensors a file may declare.</summary>
    public long MaxTensors { get; init; } = 1 << 20;

    /// <summary>Longest metadata key, in bytes.</summary>
    public int MaxKeyLength { get; init; } = 1 << 16;

    /// <summary>Longest string value kept in memory, in bytes (chat templates are tens of kilobytes).</summary>
    public int MaxStringLength { get; init; } = 16 << 20;

    /// <summary>
    /// Arrays up to this many elements are materialised; longer ones (vocabularies, merges) are skipped
    /// and keep only their length.
    /// </summary>
    public int MaxMaterializedArrayElements { get; init; } = 4096;

    /// <summary>Upper bound on the bytes of strings kept in memory across all metadata.</summary>
    public long MaxMetadataBytes { get; init; } = 64L << 20;
}
