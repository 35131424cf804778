using ClusterLlm.Gguf.Memory;
using ClusterLlm.LlamaCpp;
using ClusterLlm.Runtime.Scheduling;

namespace ClusterLlm.Runtime.Serving;

/// <summary>Carries the engine's share of <see cref="ServeSettings"/> into <see cref="EngineOptions"/>, keeping the engine's defaults where nothing was said.</summary>
internal static class EngineSettings
{
    public static void Apply(ServeSettings settings, EngineOptions engine)
    {
        engine.ModelPath = settings.ModelPath;
        engine.Alias = settings.EffectiveAlias;
        engine.ContextSize = settings.ContextSize ?? engine.ContextSize;
        engine.Parallel = settings.Parallel ?? engine.Parallel;
        engine.GpuLayers = settings.GpuLayers ?? engine.GpuLayers;
        engine.BatchSize = settings.BatchSize ?? engine.BatchSize;
        engine.UbatchSize = settings.MicroBatchSize ?? engine.UbatchSize;
        engine.Threads = settings.Threads ?? engine.Threads;
        engine.MaxQueue = settings.MaxQueue ?? engine.MaxQueue;
        engine.FlashAttention = settings.FlashAttention switch
        {
            "on" => FlashAttention.On,
            "off" => FlashAttention.Off,
            "auto" => FlashAttention.Auto,
            _ => engine.FlashAttention,
        };
        engine.CacheTypeK = CacheType(settings.CacheTypeK) ?? engine.CacheTypeK;
        engine.CacheTypeV = CacheType(settings.CacheTypeV) ?? engine.CacheTypeV;
    }

    /// <summary>llama.cpp's names for KV cache types (<c>f16</c>, <c>q8_0</c>, ...), as <c>--cache-type-k/v</c> take them.</summary>
    private static KvCacheType? CacheType(string? name)
        => name is null ? null : Enum.Parse<KvCacheType>(name, ignoreCase: true);
}
