using System.Globalization;
using System.Text.RegularExpressions;

namespace ClusterLlm.LlamaCpp;

/// <summary>What a llama.cpp buffer holds.</summary>
public enum LlamaBufferKind
{
    /// <summary>Weights (<c>load_tensors: ... model buffer size</c>).</summary>
    Model,

    /// <summary>The KV cache (<c>llama_kv_cache: ... KV buffer size</c>).</summary>
    Kv,

    /// <summary>Recurrent state of recurrent or hybrid models (<c>RS buffer size</c>).</summary>
    RecurrentState,

    /// <summary>Logits and embeddings output (<c>output buffer size</c>).</summary>
    Output,

    /// <summary>The compute graph's scratch memory (<c>compute buffer size</c>).</summary>
    Compute,
}

/// <summary>One buffer llama.cpp allocated, as it reported it: <paramref name="Buffer"/> is ggml's buffer name (<c>CPU</c>, <c>CPU_Mapped</c>, <c>CUDA0</c>, ...).</summary>
public sealed record LlamaBufferSize(LlamaBufferKind Kind, string Buffer, long Bytes);

/// <summary>
/// The memory llama.cpp itself reports for a model and context, for checking a memory estimator against the
/// real allocator. llama.h has no C API for the breakdown (<c>llama_get_memory_breakdown</c> is C++-only, in
/// <c>llama-ext.h</c>), so the numbers come from the buffer-size lines llama.cpp logs while loading the model and
/// creating the context. Those lines print MiB with two decimals, so each value is exact to ±5 KiB.
/// </summary>
public sealed partial record LlamaMemoryReport(IReadOnlyList<LlamaBufferSize> Buffers)
{
    /// <summary>Sum of the buffers of one kind, across devices.</summary>
    public long BytesOf(LlamaBufferKind kind) => Buffers.Where(b => b.Kind == kind).Sum(b => b.Bytes);

    public long ModelBytes => BytesOf(LlamaBufferKind.Model);

    public long KvBytes => BytesOf(LlamaBufferKind.Kv);

    public long ComputeBytes => BytesOf(LlamaBufferKind.Compute);

    public long OutputBytes => BytesOf(LlamaBufferKind.Output);

    public long TotalBytes => Buffers.Sum(b => b.Bytes);

    /// <summary>
    /// Loads <paramref name="modelPath"/>, creates a context with <paramref name="context"/>, and returns the buffers
    /// llama.cpp reported; both are freed before it returns. This allocates what it measures (weights are
    /// memory-mapped by default), so the machine needs the memory. llama.cpp's <c>no_alloc</c> simulation is not
    /// offered: in this release it aborts the process while loading tensors.
    /// </summary>
    public static LlamaMemoryReport Measure(string modelPath, LlamaContextSettings context, LlamaModelSettings? model = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentNullException.ThrowIfNull(context);
        using var capture = LlamaLog.Capture(currentThreadOnly: true);
        using (var loaded = LlamaModel.Load(modelPath, model))
        using (LlamaContext.Create(loaded, context))
        {
        }
        return Parse(capture.Lines.Select(l => l.Text));
    }

    /// <summary>Reads the buffer-size lines out of llama.cpp log lines; other lines are ignored.</summary>
    public static LlamaMemoryReport Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var buffers = new List<LlamaBufferSize>();
        foreach (var line in lines)
        {
            var match = BufferLine().Match(line);
            if (!match.Success)
            {
                continue;
            }
            var kind = match.Groups["kind"].Value switch
            {
                "model" => LlamaBufferKind.Model,
                "KV" => LlamaBufferKind.Kv,
                "RS" => LlamaBufferKind.RecurrentState,
                "output" => LlamaBufferKind.Output,
                _ => LlamaBufferKind.Compute,
            };
            var mib = double.Parse(match.Groups["mib"].Value, CultureInfo.InvariantCulture);
            buffers.Add(new LlamaBufferSize(kind, match.Groups["buffer"].Value, (long)Math.Round(mib * 1024 * 1024)));
        }
        return new LlamaMemoryReport(buffers);
    }

    [GeneratedRegex(@"^\w+:\s+(?<buffer>\S+)\s+(?<kind>model|KV|RS|output|compute) buffer size =\s+(?<mib>[0-9.]+) MiB")]
    private static partial Regex BufferLine();
}
