using System.Runtime.InteropServices;

namespace ClusterLlm.LlamaCpp.Native;

/// <summary>The ggml and llama.cpp entry points for a persistent CPU threadpool.</summary>
internal static partial class GgmlThreadpoolNative
{
    /// <summary><c>GGML_BACKEND_DEVICE_TYPE_CPU</c>.</summary>
    public const int DeviceTypeCpu = 0;

    [LibraryImport("ggml")]
    public static partial IntPtr ggml_backend_dev_by_type(int type);

    [LibraryImport("ggml-base")]
    public static partial IntPtr ggml_backend_dev_backend_reg(IntPtr device);

    [LibraryImport("ggml-base", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr ggml_backend_reg_get_proc_address(IntPtr reg, string name);

    [LibraryImport("ggml-base")]
    public static unsafe partial void ggml_threadpool_params_init(byte* parameters, int threads);

    [LibraryImport("llama")]
    public static partial void llama_attach_threadpool(SafeLlamaContextHandle context, IntPtr threadpool, IntPtr threadpoolBatch);
}
