namespace ClusterLlm.Gguf.Memory;

/// <summary>Element types llama.cpp accepts for the K and V caches (<c>--cache-type-k/v</c>).</summary>
public enum KvCacheType
{
    F16,
    F32,
    BF16,
    Q8_0,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    IQ4_NL,
}

public static class KvCacheTypes
{
    public static GgmlType ToGgmlType(this KvCacheType type) => type switch
    {
        KvCacheType.F16 => GgmlType.F16,
        KvCacheType.F32 => GgmlType.F32,
        KvCacheType.BF16 => GgmlType.BF16,
        KvCacheType.Q8_0 => GgmlType.Q8_0,
        KvCacheType.Q4_0 => GgmlType.Q4_0,
        KvCacheType.Q4_1 => GgmlType.Q4_1,
        KvCacheType.Q5_0 => GgmlType.Q5_0,
        KvCacheType.Q5_1 => GgmlType.Q5_1,
        KvCacheType.IQ4_NL => GgmlType.IQ4_NL,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown KV cache type"),
    };

    /// <summary>Parses llama.cpp's spelling (f16, q8_0, ...), case-insensitively.</summary>
    public static bool TryParse(string? text, out KvCacheType type) =>
        Enum.TryParse(text, ignoreCase: true, out type) && Enum.IsDefined(type);
}
