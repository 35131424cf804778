using System.Runtime.InteropServices;
using ClusterLlm.LlamaCpp.Native;

namespace ClusterLlm.LlamaCpp;

/// <summary>A compute device that ggml's backend registry found (CPU, CUDA GPU, ...).</summary>
public sealed record BackendDevice(string Name, string Description, ulong FreeBytes, ulong TotalBytes);

/// <summary>
/// The loaded llama.cpp library and the ggml backends it registered. ggml picks the best CPU
/// variant for this processor, and the CUDA backend where its library is present in the native folder.
/// </summary>
public sealed class LlamaBackend
{
    // llama.cpp's backend registry is process-global native state; mirroring that with one
    // lazily created instance keeps initialisation exactly-once without callers coordinating.
    private static readonly Lazy<LlamaBackend> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private LlamaBackend(string nativeDirectory, IReadOnlyList<string> registries, IReadOnlyList<BackendDevice> devices)
    {
        NativeDirectory = nativeDirectory;
        Registries = registries;
        Devices = devices;
    }

    /// <summary>The folder the libraries were loaded from.</summary>
    public string NativeDirectory { get; }

    /// <summary>Names of the registered backends, for example <c>CPU</c> or <c>CUDA</c>.</summary>
    public IReadOnlyList<string> Registries { get; }

    /// <summary>Devices across all registered backends.</summary>
    public IReadOnlyList<BackendDevice> Devices { get; }

    /// <summary>llama.cpp's own summary of the instruction sets and backends in use.</summary>
    public static string SystemInfo => Marshal.PtrToStringUTF8(LlamaNative.llama_print_system_info()) ?? string.Empty;

    /// <summary>Loads the native libraries and backends once per process; later calls return the same instance.</summary>
    public static LlamaBackend Initialize() => Loaded.Value;

    private static LlamaBackend Load()
    {
        LlamaLog.Install();
        var directory = NativeLibraryResolver.Directory;
        GgmlNative.ggml_backend_load_all_from_path(directory);
        LlamaNative.llama_backend_init();

        var registries = new List<string>();
        for (nuint i = 0; i < GgmlNative.ggml_backend_reg_count(); i++)
        {
            registries.Add(Utf8(GgmlNative.ggml_backend_reg_name(GgmlNative.ggml_backend_reg_get(i))));
        }

        var devices = new List<BackendDevice>();
        for (nuint i = 0; i < GgmlNative.ggml_backend_dev_count(); i++)
        {
            var device = GgmlNative.ggml_backend_dev_get(i);
            GgmlNative.ggml_backend_dev_memory(device, out var free, out var total);
            devices.Add(new BackendDevice(
                Utf8(GgmlNative.ggml_backend_dev_name(device)),
                Utf8(GgmlNative.ggml_backend_dev_description(device)),
                free,
                total));
        }

        if (registries.Count == 0)
        {
            throw new InvalidOperationException(
                $"llama.cpp loaded from {directory} but registered no backend: the folder holds no libggml-cpu-*.so that this processor can run.");
        }
        return new LlamaBackend(directory, registries, devices);
    }

    private static string Utf8(IntPtr text) => Marshal.PtrToStringUTF8(text) ?? string.Empty;
}
