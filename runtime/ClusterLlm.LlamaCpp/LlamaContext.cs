using ClusterLlm.Gguf.Memory;
using ClusterLlm.LlamaCpp.Native;

namespace ClusterLlm.LlamaCpp;

/// <summary>When llama.cpp uses Flash Attention.</summary>
public enum FlashAttention
{
    /// <summary>Enabled when the backend supports it for this model (llama.cpp's and llama-server's default).</summary>
    Auto = -1,
    Off = 0,
    On = 1,
}

/// <summary>How to create a context, with llama-server's choices as defaults (see the internals reference, §4).</summary>
public sealed record LlamaContextSettings
{
    /// <summary>Total KV cells across all sequences (<c>n_ctx</c>); 0 takes the model's trained length.</summary>
    public uint ContextSize { get; init; } = 4096;

    /// <summary>Parallel sequences (<c>n_seq_max</c>): one per slot.</summary>
    public uint Sequences { get; init; } = 1;

    /// <summary>Logical batch: the most tokens one <c>llama_decode</c> accepts.</summary>
    public uint BatchSize { get; init; } = 2048;

    /// <summary>Physical batch: llama.cpp splits a batch into ubatches of at most this many tokens.</summary>
    public uint UbatchSize { get; init; } = 512;

    /// <summary>Threads for generation and batch processing; 0 picks one per physical core.</summary>
    public int Threads { get; init; }

    public FlashAttention FlashAttention { get; init; } = FlashAttention.Auto;

    public KvCacheType CacheTypeK { get; init; } = KvCacheType.F16;

    public KvCacheType CacheTypeV { get; init; } = KvCacheType.F16;

    /// <summary>
    /// One KV pool shared by all sequences instead of one stream of <c>n_ctx / n_seq_max</c> cells each. llama-server
    /// leaves it off when <c>-np</c> is given explicitly.
    /// </summary>
    public bool KvUnified { get; init; }
}

/// <summary>
/// A <c>llama_context</c>: the KV cache and compute buffers for decoding. Not thread-safe: one thread owns it.
/// </summary>
public sealed class LlamaContext : IDisposable
{
    private readonly IntPtr _memory;
    private LlamaThreadpool? _threadpool;

    private LlamaContext(LlamaModel model, SafeLlamaContextHandle handle)
    {
        Model = model;
        Handle = handle;
        _memory = LlamaNative.llama_get_memory(handle);
    }

    public LlamaModel Model { get; }

    internal SafeLlamaContextHandle Handle { get; }

    /// <summary>Total KV cells.</summary>
    public int ContextSize => (int)LlamaNative.llama_n_ctx(Handle);

    /// <summary>Cells one sequence may use.</summary>
    public int ContextPerSequence => (int)LlamaNative.llama_n_ctx_seq(Handle);

    public int BatchSize => (int)LlamaNative.llama_n_batch(Handle);

    public int UbatchSize => (int)LlamaNative.llama_n_ubatch(Handle);

    public int Sequences => (int)LlamaNative.llama_n_seq_max(Handle);

    public int Threads => LlamaNative.llama_n_threads(Handle);

    /// <summary>Creates a context; throws <see cref="LlamaException"/> when llama.cpp refuses the settings.</summary>
    public static LlamaContext Create(LlamaModel model, LlamaContextSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        var parameters = ToNative(settings);
        using var log = LlamaLog.Capture(currentThreadOnly: true);
        var pointer = LlamaNative.llama_init_from_model(model.Handle, parameters);
        if (pointer == IntPtr.Zero)
        {
            throw new LlamaException(
                $"llama.cpp could not create a context (n_ctx={settings.ContextSize}, n_seq_max={settings.Sequences}, n_batch={settings.BatchSize}, n_ubatch={settings.UbatchSize}) for {model.Path}: {log.Errors()}");
        }
        var context = new LlamaContext(model, new SafeLlamaContextHandle(pointer, model.Handle));
        context._threadpool = LlamaThreadpool.TryAttach(context.Handle, parameters.n_threads);
        return context;
    }

    internal static LlamaContextParams ToNative(LlamaContextSettings settings)
    {
        var parameters = LlamaNative.llama_context_default_params();
        var threads = settings.Threads > 0 ? settings.Threads : PhysicalCores();
        parameters.n_ctx = settings.ContextSize;
        parameters.n_seq_max = settings.Sequences;
        parameters.n_batch = settings.BatchSize;
        parameters.n_ubatch = settings.UbatchSize;
        // As llama-server: one output row per sequence per decode, and no more rows than the batch can hold.
        parameters.n_outputs_max = Math.Min(settings.BatchSize, settings.Sequences);
        parameters.n_outputs_max_per_seq = 1;
        parameters.n_threads = threads;
        parameters.n_threads_batch = threads;
        parameters.flash_attn_type = (int)settings.FlashAttention;
        parameters.type_k = (int)settings.CacheTypeK.ToGgmlType();
        parameters.type_v = (int)settings.CacheTypeV.ToGgmlType();
        // The library default is a full-size SWA cache; llama-server turns it off to save memory.
        parameters.swa_full = false;
        parameters.kv_unified = settings.KvUnified;
        parameters.no_perf = false;
        return parameters;
    }

    /// <summary>
    /// Decodes <paramref name="count"/> tokens of <paramref name="batch"/> starting at <paramref name="offset"/>.
    /// Returns llama.cpp's code: 0 success, 1 no KV slot for the batch, 2 aborted, negative a fatal error for this batch.
    /// </summary>
    public unsafe int Decode(LlamaBatch batch, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, batch.Count, nameof(count));
        return LlamaNative.llama_decode(Handle, batch.View(offset, count));
    }

    /// <inheritdoc cref="Decode(LlamaBatch, int, int)"/>
    public int Decode(LlamaBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Decode(batch, 0, batch.Count);
    }

    /// <summary>The logits of the output at batch index <paramref name="index"/> of the last decode (-1: the last output).</summary>
    public unsafe ReadOnlySpan<float> Logits(int index)
    {
        var logits = LlamaNative.llama_get_logits_ith(Handle, index);
        if (logits is null)
        {
            throw new LlamaException($"The last decode produced no logits for batch index {index}.");
        }
        return new ReadOnlySpan<float>(logits, Model.Vocab.Count);
    }

    /// <summary>Drops positions [<paramref name="from"/>, <paramref name="to"/>) of a sequence; <paramref name="to"/> &lt; 0 means to the end. False when the model cannot drop a partial range.</summary>
    public bool RemoveSequence(int sequence, int from = -1, int to = -1) =>
        LlamaNative.llama_memory_seq_rm(_memory, sequence, from, to);

    /// <summary>Makes <paramref name="destination"/> share <paramref name="source"/>'s cells for positions [from, to).</summary>
    public void CopySequence(int source, int destination, int from = -1, int to = -1) =>
        LlamaNative.llama_memory_seq_cp(_memory, source, destination, from, to);

    /// <summary>Highest position a sequence holds, -1 when it is empty.</summary>
    public int SequencePositionMax(int sequence) => LlamaNative.llama_memory_seq_pos_max(_memory, sequence);

    /// <summary>Lowest position a sequence holds, -1 when it is empty.</summary>
    public int SequencePositionMin(int sequence) => LlamaNative.llama_memory_seq_pos_min(_memory, sequence);

    /// <summary>Empties the whole KV cache.</summary>
    public void ClearMemory() => LlamaNative.llama_memory_clear(_memory, true);

    public void Dispose()
    {
        Handle.Dispose();
        _threadpool?.Dispose();
    }

    private static int PhysicalCores()
    {
        // llama-server counts distinct thread-sibling sets (physical cores); SMT siblings share one core's FPU.
        try
        {
            var sets = new HashSet<string>(StringComparer.Ordinal);
            for (var cpu = 0; cpu < Environment.ProcessorCount; cpu++)
            {
                var path = $"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings";
                if (File.Exists(path))
                {
                    sets.Add(File.ReadAllText(path).Trim());
                }
            }
            return sets.Count > 0 ? sets.Count : Math.Max(1, Environment.ProcessorCount);
        }
        catch (IOException)
        {
            return Math.Max(1, Environment.ProcessorCount);
        }
    }
}
