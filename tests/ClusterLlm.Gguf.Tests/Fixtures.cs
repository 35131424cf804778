using System.Reflection;

namespace ClusterLlm.Gguf.Tests;

/// <summary>Real GGUFs from the pinned llama.cpp source, and small GGUFs written for a test.</summary>
internal static class Fixtures
{
    public static string LlamaSourceDir { get; } = typeof(Fixtures).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "LlamaSourceDir").Value!;

    public static IReadOnlyList<string> VocabFiles { get; } =
        Directory.GetFiles(Path.Combine(LlamaSourceDir, "models"), "ggml-vocab-*.gguf").Order(StringComparer.Ordinal).ToArray();

    /// <summary>A llama-shaped model with per-layer KV heads, a chat template and every value type.</summary>
    public static GgufWriter TinyLlama(int layers = 2, int embd = 64, int heads = 4, int kvHeads = 2, int ff = 128, int vocab = 256)
    {
        var writer = new GgufWriter()
            .AddString("general.architecture", "llama")
            .AddString("general.name", "tiny")
            .AddUInt32("general.file_type", 1)
            .AddUInt32("llama.context_length", 2048)
            .AddUInt32("llama.block_count", (uint)layers)
            .AddUInt32("llama.embedding_length", (uint)embd)
            .AddUInt32("llama.feed_forward_length", (uint)ff)
            .AddUInt32("llama.attention.head_count", (uint)heads)
            .Add("llama.attention.head_count_kv", GgufValueType.Array, new GgufArray(GgufValueType.Int32, layers, Enumerable.Range(0, layers).Select(_ => (object)kvHeads).ToArray()))
            .Add("llama.rope.freq_base", GgufValueType.Float32, 10000f)
            .Add("tokenizer.ggml.tokens", GgufValueType.Array, new GgufArray(GgufValueType.String, vocab, Enumerable.Range(0, vocab).Select(i => (object)$"t{i}").ToArray()))
            .AddString("tokenizer.chat_template", "{{ messages }}");
        writer.AddTensor("token_embd.weight", [embd, vocab], GgmlType.F16, 1);
        for (var i = 0; i < layers; i++)
        {
            writer.AddTensor($"blk.{i}.attn_q.weight", [embd, embd], GgmlType.F16, 2);
            writer.AddTensor($"blk.{i}.attn_k.weight", [embd, embd / heads * kvHeads], GgmlType.F16, 3);
            writer.AddTensor($"blk.{i}.ffn_up.weight", [embd, ff], GgmlType.Q8_0, 4);
            writer.AddTensor($"blk.{i}.attn_norm.weight", [embd], GgmlType.F32, 5);
        }

        writer.AddTensor("output_norm.weight", [embd], GgmlType.F32, 6);
        writer.AddTensor("output.weight", [embd, vocab], GgmlType.F16, 7);
        return writer;
    }

    public static byte[] ToBytes(this GgufWriter writer)
    {
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }

    public static GgufFile Read(byte[] bytes, GgufReaderOptions? options = null)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return GgufFile.Read(stream, options);
    }
}
