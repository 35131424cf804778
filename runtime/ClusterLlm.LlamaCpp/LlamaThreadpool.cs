using ClusterLlm.LlamaCpp.Native;

namespace ClusterLlm.LlamaCpp;

/// <summary>
/// A persistent ggml CPU threadpool attached to a context, as llama-server attaches one. Without it, a ggml
/// build without OpenMP (the one we bind) starts and joins its worker threads on every <c>llama_decode</c>.
/// </summary>
internal sealed unsafe class LlamaThreadpool : IDisposable
{
    // ggml_threadpool_params is about 530 bytes (a 512-entry CPU mask and a few fields). Only ggml reads and
    // writes it, so a larger zeroed buffer is safe whatever the layout of the pinned release.
    private const int ParametersBufferSize = 4096;

    private readonly IntPtr _pool;
    private readonly delegate* unmanaged<IntPtr, void> _free;
    private int _disposed;

    private LlamaThreadpool(IntPtr pool, delegate* unmanaged<IntPtr, void> free)
    {
        _pool = pool;
        _free = free;
    }

    /// <summary>Creates a pool of <paramref name="threads"/> and attaches it; null when the CPU backend offers none.</summary>
    public static LlamaThreadpool? TryAttach(SafeLlamaContextHandle context, int threads)
    {
        var device = GgmlThreadpoolNative.ggml_backend_dev_by_type(GgmlThreadpoolNative.DeviceTypeCpu);
        if (device == IntPtr.Zero)
        {
            return null;
        }
        var registry = GgmlThreadpoolNative.ggml_backend_dev_backend_reg(device);
        var create = (delegate* unmanaged<byte*, IntPtr>)GgmlThreadpoolNative.ggml_backend_reg_get_proc_address(registry, "ggml_threadpool_new");
        var free = (delegate* unmanaged<IntPtr, void>)GgmlThreadpoolNative.ggml_backend_reg_get_proc_address(registry, "ggml_threadpool_free");
        if (create == null || free == null)
        {
            return null;
        }
        var parameters = stackalloc byte[ParametersBufferSize];
        new Span<byte>(parameters, ParametersBufferSize).Clear();
        GgmlThreadpoolNative.ggml_threadpool_params_init(parameters, threads);
        var pool = create(parameters);
        if (pool == IntPtr.Zero)
        {
            return null;
        }
        GgmlThreadpoolNative.llama_attach_threadpool(context, pool, pool);
        return new LlamaThreadpool(pool, free);
    }

    /// <summary>Frees the pool; the context it was attached to must be freed first.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _free(_pool);
        }
    }
}
