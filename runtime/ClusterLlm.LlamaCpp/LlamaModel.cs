using System.Text;
using ClusterLlm.LlamaCpp.Native;

namespace ClusterLlm.LlamaCpp;

/// <summary>How to load a model.</summary>
public sealed record LlamaModelSettings
{
    /// <summary>
    /// Layers to place on the GPU; negative means all. Reaches <c>llama_model_params.n_gpu_layers</c>. It only has an
    /// effect when a GPU backend (for example <c>libggml-cuda.so</c>) sits in the native folder, because ggml's
    /// dynamic backend loading registers CUDA exactly then; on a CPU-only build every layer stays on the CPU.
    /// </summary>
    public int GpuLayers { get; init; } = -1;

    /// <summary>Loads only the tokenizer: no weights, no compute.</summary>
    public bool VocabOnly { get; init; }

    /// <summary>Memory-map the weights (llama.cpp's default) instead of reading them into private memory.</summary>
    public bool UseMmap { get; init; } = true;
}

/// <summary>A loaded GGUF model (<c>llama_model</c>). Thread-safe to read; contexts are created from it.</summary>
public sealed class LlamaModel : IDisposable
{
    private LlamaModel(SafeLlamaModelHandle handle, string path)
    {
        Handle = handle;
        Path = path;
        Vocab = new LlamaVocab(this, LlamaNative.llama_model_get_vocab(handle));
    }

    /// <summary>The file it was loaded from.</summary>
    public string Path { get; }

    /// <summary>The tokenizer.</summary>
    public LlamaVocab Vocab { get; }

    internal SafeLlamaModelHandle Handle { get; }

    public int TrainedContextLength => LlamaNative.llama_model_n_ctx_train(Handle);

    public int EmbeddingLength => LlamaNative.llama_model_n_embd(Handle);

    public int LayerCount => LlamaNative.llama_model_n_layer(Handle);

    public int HeadCount => LlamaNative.llama_model_n_head(Handle);

    public int KvHeadCount => LlamaNative.llama_model_n_head_kv(Handle);

    /// <summary>Sliding-window size, 0 when the model attends to the whole context.</summary>
    public int SlidingWindow => LlamaNative.llama_model_n_swa(Handle);

    /// <summary>Bytes of all weight tensors.</summary>
    public ulong SizeBytes => LlamaNative.llama_model_size(Handle);

    public ulong ParameterCount => LlamaNative.llama_model_n_params(Handle);

    /// <summary>Recurrent and hybrid models cannot drop a suffix of a sequence, so prefix reuse is off for them.</summary>
    public bool IsRecurrentOrHybrid => LlamaNative.llama_model_is_recurrent(Handle) || LlamaNative.llama_model_is_hybrid(Handle);

    /// <summary>llama.cpp's one-line description, e.g. <c>llama ?B F16</c>.</summary>
    public unsafe string Description
    {
        get
        {
            Span<byte> buffer = stackalloc byte[256];
            fixed (byte* p = buffer)
            {
                var written = LlamaNative.llama_model_desc(Handle, p, (nuint)buffer.Length);
                return written <= 0 ? string.Empty : Encoding.UTF8.GetString(buffer[..Math.Min(written, buffer.Length - 1)]);
            }
        }
    }

    /// <summary>The model's default chat template (Jinja source), or <see langword="null"/> when the GGUF has none.</summary>
    public string? ChatTemplate
    {
        get
        {
            unsafe
            {
                return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(LlamaNative.llama_model_chat_template(Handle, null));
            }
        }
    }

    /// <summary>A GGUF metadata value as text, or <see langword="null"/> when the key is absent.</summary>
    public unsafe string? Metadata(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var keyBytes = Encoding.UTF8.GetBytes(key + '\0');
        var buffer = new byte[4096];
        fixed (byte* k = keyBytes)
        fixed (byte* b = buffer)
        {
            var written = LlamaNative.llama_model_meta_val_str(Handle, k, b, (nuint)buffer.Length);
            return written < 0 ? null : Encoding.UTF8.GetString(buffer, 0, Math.Min(written, buffer.Length - 1));
        }
    }

    /// <summary>Loads a GGUF file. Throws <see cref="LlamaException"/> naming the path when llama.cpp refuses it.</summary>
    public static LlamaModel Load(string path, LlamaModelSettings? settings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        settings ??= new LlamaModelSettings();
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Model file {fullPath} does not exist.", fullPath);
        }

        LlamaBackend.Initialize();
        var parameters = LlamaNative.llama_model_default_params();
        parameters.n_gpu_layers = settings.GpuLayers;
        parameters.vocab_only = settings.VocabOnly;
        if (!settings.UseMmap && parameters.load_mode is LlamaLoadMode.Mmap or LlamaLoadMode.Auto)
        {
            parameters.load_mode = LlamaLoadMode.None;
        }

        using var log = LlamaLog.Capture(currentThreadOnly: true);
        var pointer = LlamaNative.llama_model_load_from_file(fullPath, parameters);
        if (pointer == IntPtr.Zero)
        {
            throw new LlamaException($"llama.cpp could not load the model at {fullPath}: {log.Errors()}");
        }
        return new LlamaModel(new SafeLlamaModelHandle(pointer), fullPath);
    }

    public void Dispose() => Handle.Dispose();
}

/// <summary>llama.cpp refused an operation (a model that does not load, a context it cannot create, ...).</summary>
public sealed class LlamaException : Exception
{
    public LlamaException()
    {
    }

    public LlamaException(string message)
        : base(message)
    {
    }

    public LlamaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
