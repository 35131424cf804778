using System.Runtime.InteropServices;

namespace ClusterLlm.LlamaCpp.Native;

/// <summary>ggml's backend registry (libggml and libggml-base).</summary>
internal static partial class GgmlNative
{
    private const string Ggml = "ggml";
    private const string GgmlBase = "ggml-base";

    [LibraryImport(Ggml, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void ggml_backend_load_all_from_path(string directory);

    [LibraryImport(Ggml)]
    public static partial nuint ggml_backend_reg_count();

    [LibraryImport(Ggml)]
    public static partial IntPtr ggml_backend_reg_get(nuint index);

    [LibraryImport(Ggml)]
    public static partial nuint ggml_backend_dev_count();

    [LibraryImport(Ggml)]
    public static partial IntPtr ggml_backend_dev_get(nuint index);

    [LibraryImport(GgmlBase)]
    public static partial IntPtr ggml_backend_reg_name(IntPtr reg);

    [LibraryImport(GgmlBase)]
    public static partial IntPtr ggml_backend_dev_name(IntPtr device);

    [LibraryImport(GgmlBase)]
    public static partial IntPtr ggml_backend_dev_description(IntPtr device);

    [LibraryImport(GgmlBase)]
    public static partial void ggml_backend_dev_memory(IntPtr device, out nuint free, out nuint total);
}
