using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClusterLlm.LlamaCpp.Native;

/// <summary>
/// Maps the binding's library names to the pinned llama.cpp build: <c>$CLUSTERLLM_NATIVE_DIR</c> when set
/// (a container image, or the CUDA build), otherwise the <c>native/</c> folder beside the assembly.
/// </summary>
internal static class NativeLibraryResolver
{
    public const string DirectoryVariable = "CLUSTERLLM_NATIVE_DIR";

    public static string Directory { get; } = ResolveDirectory();

    // P/Invoke resolution is per assembly and must be in place before the first native call,
    // which a module initializer guarantees without asking callers to remember it.
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Native resolution must precede any P/Invoke from this library.")]
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);

    /// <summary>
    /// The file to load for a library: its versioned file (<c>libggml.v0.5.0.so</c>) when present, else <c>lib{name}.so</c>.
    /// </summary>
    /// <remarks>
    /// The versioned name is the library's SONAME, which is what libllama's own dependencies name. Copying the
    /// native folder into a build output turns the <c>libggml.so</c> symlink into a second file; loading that copy
    /// by path after libllama pulled in <c>libggml.v0.5.0.so</c> would give the process two ggml instances, and
    /// backends registered in one would be invisible to the other.
    /// </remarks>
    public static string PathOf(string library)
    {
        var versioned = System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, $"lib{library}.v*.so").Order(StringComparer.Ordinal).LastOrDefault()
            : null;
        return versioned ?? Path.Combine(Directory, $"lib{library}.so");
    }

    private static string ResolveDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(DirectoryVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment)
            ? Path.Combine(AppContext.BaseDirectory, "native")
            : Path.GetFullPath(fromEnvironment);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            throw new DllNotFoundException(
                $"llama.cpp library '{name}' was not found at {path}. Run `make setup`, or point {DirectoryVariable} at a folder holding lib{name}.so.");
        }
        return NativeLibrary.Load(path);
    }
}
