using System.Runtime.InteropServices;

namespace ClusterLlm.LlamaCpp.Native;

/// <summary>Entry points of libllama, mirrored from the pinned <c>include/llama.h</c>.</summary>
internal static partial class LlamaNative
{
    private const string Llama = "llama";

    [LibraryImport(Llama)]
    public static partial void llama_backend_init();

    [LibraryImport(Llama)]
    public static partial IntPtr llama_print_system_info();
}
