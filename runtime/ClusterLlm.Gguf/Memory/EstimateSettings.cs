namespace ClusterLlm.Gguf.Memory;

/// <summary>The runtime settings a memory estimate depends on; defaults match <c>clusterllm-runtime serve</c>.</summary>
public sealed record EstimateSettings
{
    /// <summary>Tokens per sequence (one slot's context).</summary>
    public int ContextSize { get; init; } = 4096;

    /// <summary>Concurrent sequences; the KV cache holds <see cref="ContextSize"/> tokens for each.</summary>
    public int ParallelSlots { get; init; } = 1;

    public KvCacheType CacheTypeK { get; init; } = KvCacheType.F16;

    public KvCacheType CacheTypeV { get; init; } = KvCacheType.F16;

    /// <summary>Layers offloaded to the GPU; -1 offloads every layer and the output head, 0 keeps everything on the host.</summary>
    public int GpuLayers { get; init; } = -1;

    public int BatchSize { get; init; } = 2048;

    public int UbatchSize { get; init; } = 512;

    /// <summary>
    /// One KV pool shared by all slots (llama.cpp's <c>kv_unified</c>) instead of one stream per slot:
    /// the cache is then padded as a whole, and attention spans the whole pool.
    /// </summary>
    public bool KvUnified { get; init; }

    /// <summary>
    /// Logits rows llama.cpp keeps per decode (<c>n_outputs_max</c>); null means one per slot, which is how
    /// <c>clusterllm-runtime serve</c> configures it.
    /// </summary>
    public int? MaxOutputs { get; init; }

    /// <summary>Flash attention avoids materialising the attention score matrix; llama.cpp's "auto" enables it wherever the device supports it.</summary>
    public bool FlashAttention { get; init; } = true;

    /// <summary>Checks the settings, naming the first bad field.</summary>
    public void Validate()
    {
        if (ContextSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ContextSize), ContextSize, "contextSize must be at least 1");
        }

        if (ParallelSlots is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(ParallelSlots), ParallelSlots, "parallelSlots must be between 1 and 256");
        }

        if (GpuLayers < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(GpuLayers), GpuLayers, "gpuLayers must be -1 (all) or at least 0");
        }

        if (BatchSize < 1 || UbatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(BatchSize < 1 ? nameof(BatchSize) : nameof(UbatchSize), "batchSize and ubatchSize must be at least 1");
        }

        if (MaxOutputs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxOutputs), MaxOutputs, "maxOutputs must be at least 1");
        }

        if (!FlashAttention && CacheTypeV is not (KvCacheType.F16 or KvCacheType.F32 or KvCacheType.BF16))
        {
            throw new ArgumentException($"a quantized V cache ({CacheTypeV}) needs flash attention, as in llama.cpp", nameof(CacheTypeV));
        }
    }
}
