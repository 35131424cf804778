using ClusterLlm.Gguf.Memory;
using ClusterLlm.LlamaCpp;

namespace ClusterLlm.Runtime.Scheduling;

/// <summary>
/// How the inference engine loads its model and sizes its context. Names follow the <c>serve</c> flags
/// (<c>--model</c>, <c>--ctx-size</c>, <c>--parallel</c>, ...); defaults follow llama-server.
/// </summary>
internal sealed class EngineOptions
{
    /// <summary><c>--model</c>: the GGUF file to serve. Required.</summary>
    public string ModelPath { get; set; } = string.Empty;

    /// <summary><c>--alias</c>: the model id clients see; empty means the file name without <c>.gguf</c>.</summary>
    public string? Alias { get; set; }

    /// <summary><c>--ctx-size</c>: KV cells for all slots together (each slot gets <c>ctx-size / parallel</c>); 0 takes the model's trained length.</summary>
    public int ContextSize { get; set; } = 4096;

    /// <summary><c>--parallel</c>: slots, i.e. sequences decoded together.</summary>
    public int Parallel { get; set; } = 4;

    /// <summary><c>--n-gpu-layers</c>: layers offloaded to a GPU; -1 means all. No effect on a CPU-only build.</summary>
    public int GpuLayers { get; set; } = -1;

    /// <summary><c>--batch-size</c>: most tokens one decode accepts.</summary>
    public int BatchSize { get; set; } = 2048;

    /// <summary><c>--ubatch-size</c>: physical batch; also the most prompt tokens prefilled per step, which bounds how long running streams wait.</summary>
    public int UbatchSize { get; set; } = 512;

    /// <summary><c>--flash-attn</c>: auto, on or off.</summary>
    public FlashAttention FlashAttention { get; set; } = FlashAttention.Auto;

    /// <summary><c>--cache-type-k</c>.</summary>
    public KvCacheType CacheTypeK { get; set; } = KvCacheType.F16;

    /// <summary><c>--cache-type-v</c>.</summary>
    public KvCacheType CacheTypeV { get; set; } = KvCacheType.F16;

    /// <summary><c>--threads</c>: 0 picks one per physical core, as llama-server does.</summary>
    public int Threads { get; set; }

    /// <summary><c>--max-queue</c>: requests that may wait for a slot; beyond it, submissions are refused (429).</summary>
    public int MaxQueue { get; set; } = 64;

    /// <summary>One KV pool shared by all slots (llama-server's <c>-kvu</c>); off, as llama-server with an explicit <c>-np</c>.</summary>
    public bool KvUnified { get; set; }

    /// <summary>The id clients use for this model.</summary>
    public string EffectiveAlias =>
        string.IsNullOrWhiteSpace(Alias) ? Path.GetFileNameWithoutExtension(ModelPath) : Alias;
}
