using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using ClusterLlm.LlamaCpp.Native;

namespace ClusterLlm.LlamaCpp.Tests.Native;

/// <summary>
/// Every struct the binding passes to llama.cpp by value or by pointer must match the pinned headers byte for
/// byte. The expected layout comes from the C compiler itself: a generated program prints sizeof, alignment and
/// each field's offset and size, and the managed layout must agree. After a llama.cpp bump, a renamed or
/// removed field fails to compile, and an added, moved or resized one shows up as a difference.
/// </summary>
public sealed class NativeStructLayoutTests
{
    private static readonly Type[] Mirrored = [.. typeof(LlamaBackend).Assembly.GetTypes()
        .Where(t => t.GetCustomAttribute<NativeStructAttribute>() is not null)
        .OrderBy(t => t.Name, StringComparer.Ordinal)];

    private static readonly string[] Required =
    [
        "llama_model_params", "llama_context_params", "llama_batch", "llama_sampler_chain_params",
        "llama_token_data", "llama_token_data_array", "llama_chat_message", "llama_logit_bias",
    ];

    private static readonly Lazy<Dictionary<string, long>> NativeLayout = new(CompileAndRun);

    [Test]
    public void Mirrored_CoversTheStructsCrossingTheBoundary()
    {
        var names = Mirrored.Select(t => t.GetCustomAttribute<NativeStructAttribute>()!.CName);

        Assert.That(names, Is.SupersetOf(Required));
    }

    [TestCaseSource(nameof(MirroredNames))]
    public void Layout_ManagedMirror_MatchesTheCompiledHeader(string managedName)
    {
        var type = Mirrored.Single(t => t.Name == managedName);
        var c = type.GetCustomAttribute<NativeStructAttribute>()!.CName;
        var native = NativeLayout.Value;

        Assert.Multiple(() =>
        {
            Assert.That(Marshal.SizeOf(type), Is.EqualTo(native[$"{c} sizeof"]), $"sizeof({c})");
            var fields = Fields(type);
            foreach (var field in fields)
            {
                Assert.That((long)Marshal.OffsetOf(type, field.Name), Is.EqualTo(native[$"{c}.{field.Name} offset"]), $"offsetof({c}, {field.Name})");
                Assert.That(FieldSize(field.FieldType), Is.EqualTo(native[$"{c}.{field.Name} size"]), $"sizeof({c}.{field.Name})");
            }

            // A C field the mirror lacks leaves a hole larger than alignment padding, or grows the struct.
            var end = 0L;
            foreach (var field in fields)
            {
                var offset = native[$"{c}.{field.Name} offset"];
                var alignment = native[$"{c}.{field.Name} align"];
                Assert.That(offset, Is.EqualTo(AlignUp(end, alignment)), $"{c} has a field before {field.Name} that the mirror lacks");
                end = offset + native[$"{c}.{field.Name} size"];
            }
            Assert.That(native[$"{c} sizeof"], Is.EqualTo(AlignUp(end, native[$"{c} align"])), $"{c} has fields after the mirror's last");
        });
    }

    [TestCaseSource(nameof(MirroredNames))]
    public void Fields_ManagedMirror_NamesEveryHeaderFieldInOrder(string managedName)
    {
        // The compiler cannot list a struct's fields, and a new trailing field can hide in padding, so the
        // declaration itself is read from the header for the names; the compiled program above checks the rest.
        var type = Mirrored.Single(t => t.Name == managedName);
        var c = type.GetCustomAttribute<NativeStructAttribute>()!.CName;

        Assert.That(Fields(type).Select(f => f.Name), Is.EqualTo(HeaderFields(c)));
    }

    private static List<string> HeaderFields(string cName)
    {
        var source = SourceDirectory();
        var header = File.ReadAllText(Path.Combine(source, "include", "llama.h"));
        header = System.Text.RegularExpressions.Regex.Replace(header, @"//[^\n]*|/\*.*?\*/", " ", System.Text.RegularExpressions.RegexOptions.Singleline);
        var start = System.Text.RegularExpressions.Regex.Match(header, $@"struct\s+{cName}\s*\{{");
        Assert.That(start.Success, Is.True, $"struct {cName} is not declared in llama.h");
        var body = header[(start.Index + start.Length)..header.IndexOf('}', start.Index)];
        return [.. body.Split(';')
            .Select(declaration => declaration.Trim())
            .Where(declaration => declaration.Length > 0)
            .Select(declaration => System.Text.RegularExpressions.Regex.Match(declaration, @"\(?\s*\*?\s*(\w+)\s*\)?\s*(\[[^\]]*\])?\s*(\([^)]*\))?$").Groups[1].Value)];
    }

    private static string SourceDirectory() =>
        typeof(NativeStructLayoutTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LlamaSourceDir").Value!;

    private static IEnumerable<string> MirroredNames() => Mirrored.Select(t => t.Name);

    private static FieldInfo[] Fields(Type type) =>
        [.. type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(f => Marshal.OffsetOf(type, f.Name).ToInt64())];

    private static long FieldSize(Type type) =>
        type.IsPointer || type == typeof(IntPtr) || type == typeof(UIntPtr) ? IntPtr.Size
        : type.IsEnum ? Marshal.SizeOf(Enum.GetUnderlyingType(type))
        : Marshal.SizeOf(type);

    private static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;

    private static Dictionary<string, long> CompileAndRun()
    {
        var source = SourceDirectory();
        var directory = Path.Combine(Path.GetTempPath(), "clusterllm-layout-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var program = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"llama.h\"\nint main(void) {\n");
            foreach (var type in Mirrored)
            {
                var c = type.GetCustomAttribute<NativeStructAttribute>()!.CName;
                program.Append($"  printf(\"{c} sizeof %zu\\n\", sizeof(struct {c}));\n");
                program.Append($"  printf(\"{c} align %zu\\n\", _Alignof(struct {c}));\n");
                foreach (var field in Fields(type))
                {
                    var f = field.Name;
                    program.Append($"  printf(\"{c}.{f} offset %zu\\n\", offsetof(struct {c}, {f}));\n");
                    program.Append($"  printf(\"{c}.{f} size %zu\\n\", sizeof(((struct {c} *)0)->{f}));\n");
                    program.Append($"  printf(\"{c}.{f} align %zu\\n\", _Alignof(__typeof__(((struct {c} *)0)->{f})));\n");
                }
            }
            program.Append("  return 0;\n}\n");
            var cFile = Path.Combine(directory, "layout.c");
            var binary = Path.Combine(directory, "layout");
            File.WriteAllText(cFile, program.ToString());

            Run("cc", $"-std=gnu11 -I{Path.Combine(source, "include")} -I{Path.Combine(source, "ggml", "include")} -o {binary} {cFile}");
            return Run(binary, string.Empty)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(parts => $"{parts[0]} {parts[1]}", parts => long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"{file} did not finish within 60 s.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}:\n{error.Result}");
        }
        return output.Result;
    }
}
