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

    public static string PathOf(string library) => Path.Combine(Directory, $"lib{library}.so");

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
