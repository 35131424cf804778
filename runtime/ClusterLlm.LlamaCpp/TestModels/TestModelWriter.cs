using System.Buffers.Binary;
using System.Text;

namespace ClusterLlm.LlamaCpp.TestModels;

/// <summary>
/// Writes a llama-architecture GGUF (version 3) with a real tokenizer and deterministic random weights.
/// </summary>
/// <remarks>
/// A C# writer rather than <c>llama_model_init_from_user</c> + <c>llama_model_save_to_file</c>: it streams tensors
/// straight to disk (the bench preset never sits in memory twice), picks each tensor's type (F16 matrices, F32
/// norms) without going through llama.cpp's internal saver, and its output is byte-identical for a seed by
/// construction: a stable per-tensor hash seeds a SplitMix64 generator, with no dependence on thread count,
/// allocation order or the C++ standard library's distributions.
/// </remarks>
public static class TestModelWriter
{
    private const int Alignment = 32;
    private const uint TypeF32 = 0;
    private const uint TypeF16 = 1;
    private const uint TypeQ8_0 = 8;

    // Q8_0: blocks of 32 weights, one F16 scale then 32 signed bytes.
    private const int Q8Block = 32;
    private const int Q8BlockBytes = 2 + Q8Block;

    /// <summary>Overrides where the tokenizer vocabulary comes from.</summary>
    public const string VocabVariable = "CLUSTERLLM_VOCAB";

    /// <summary>llama.cpp's LLaMA SentencePiece vocabulary (32000 tokens, byte fallback): the llama architecture's own tokenizer.</summary>
    public const string DefaultVocabFile = "ggml-vocab-llama-spm.gguf";

    /// <summary><c>$CLUSTERLLM_VOCAB</c>, else the pinned llama.cpp source's vocabulary found above the working or program folder.</summary>
    public static string? FindDefaultVocab()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(VocabVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, ".deps", "llama", "src", "models", DefaultVocabFile);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Writes the model for <paramref name="preset"/> and <paramref name="seed"/> to <paramref name="outputPath"/>, taking
    /// the tokenizer from the vocabulary GGUF at <paramref name="vocabPath"/>. The same inputs give the same bytes.
    /// </summary>
    public static void Write(string outputPath, TestModelPreset preset, ulong seed, string vocabPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentNullException.ThrowIfNull(preset);
        var tokenizer = GgufTokenizerSource.ReadTokenizerEntries(vocabPath);
        var vocabSize = CountTokens(vocabPath, tokenizer);
        var tensors = Tensors(preset, vocabSize);

        var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        // Write beside the target and rename, so a reader never sees a half-written model.
        var temporary = outputPath + ".partial";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var header = new MemoryStream();
            WriteHeader(header, preset, seed, tokenizer, tensors, vocabSize);
            PadTo(header, Alignment);
            header.WriteTo(file);
            foreach (var tensor in tensors)
            {
                WriteTensorData(file, tensor, seed);
                PadTo(file, Alignment);
            }
        }
        File.Move(temporary, outputPath, overwrite: true);
    }

    private sealed record Tensor(string Name, long[] Dims, uint Type, float Scale, bool Constant)
    {
        public long Elements => Dims.Aggregate(1L, (a, b) => a * b);

        public long Bytes => Type switch
        {
            TypeQ8_0 => Elements / Q8Block * Q8BlockBytes,
            TypeF16 => Elements * 2,
            _ => Elements * 4,
        };
    }

    private static List<Tensor> Tensors(TestModelPreset p, int vocabSize)
    {
        var matrix = p.QuantizedWeights ? TypeQ8_0 : TypeF16;
        var headDim = p.EmbeddingLength / p.HeadCount;
        var kvWidth = headDim * p.KvHeadCount;
        var inScale = 1f / MathF.Sqrt(p.EmbeddingLength);
        var ffScale = 1f / MathF.Sqrt(p.FeedForwardLength);
        var list = new List<Tensor>
        {
            new("token_embd.weight", [p.EmbeddingLength, vocabSize], TypeF16, 1f, false),
            new("output_norm.weight", [p.EmbeddingLength], TypeF32, 1f, true),
        };
        if (!p.TiedOutput)
        {
            list.Add(new("output.weight", [p.EmbeddingLength, vocabSize], matrix, inScale, false));
        }
        for (var layer = 0; layer < p.LayerCount; layer++)
        {
            var b = $"blk.{layer}.";
            list.Add(new(b + "attn_norm.weight", [p.EmbeddingLength], TypeF32, 1f, true));
            list.Add(new(b + "attn_q.weight", [p.EmbeddingLength, p.EmbeddingLength], matrix, inScale, false));
            list.Add(new(b + "attn_k.weight", [p.EmbeddingLength, kvWidth], matrix, inScale, false));
            list.Add(new(b + "attn_v.weight", [p.EmbeddingLength, kvWidth], matrix, inScale, false));
            list.Add(new(b + "attn_output.weight", [p.EmbeddingLength, p.EmbeddingLength], matrix, inScale, false));
            list.Add(new(b + "ffn_norm.weight", [p.EmbeddingLength], TypeF32, 1f, true));
            list.Add(new(b + "ffn_gate.weight", [p.EmbeddingLength, p.FeedForwardLength], matrix, inScale, false));
            list.Add(new(b + "ffn_up.weight", [p.EmbeddingLength, p.FeedForwardLength], matrix, inScale, false));
            list.Add(new(b + "ffn_down.weight", [p.FeedForwardLength, p.EmbeddingLength], matrix, ffScale, false));
        }
        return list;
    }

    private static void WriteHeader(Stream s, TestModelPreset p, ulong seed, IReadOnlyList<(string Key, byte[] Encoded)> tokenizer, List<Tensor> tensors, int vocabSize)
    {
        WriteU32(s, 0x46554747);
        WriteU32(s, 3);
        WriteU64(s, (ulong)tensors.Count);
        const int OwnKeys = 14;
        WriteU64(s, (ulong)(OwnKeys + tokenizer.Count));

        KvString(s, "general.architecture", "llama");
        KvString(s, "general.name", $"clusterllm-testmodel-{p.Name}-seed{seed}");
        KvU32(s, "general.file_type", p.QuantizedWeights ? 7u : 1u); // mostly Q8_0, or mostly F16
        KvU32(s, "general.alignment", Alignment);
        KvU32(s, "llama.vocab_size", (uint)vocabSize);
        KvU32(s, "llama.context_length", (uint)p.ContextLength);
        KvU32(s, "llama.embedding_length", (uint)p.EmbeddingLength);
        KvU32(s, "llama.block_count", (uint)p.LayerCount);
        KvU32(s, "llama.feed_forward_length", (uint)p.FeedForwardLength);
        KvU32(s, "llama.attention.head_count", (uint)p.HeadCount);
        KvU32(s, "llama.attention.head_count_kv", (uint)p.KvHeadCount);
        KvU32(s, "llama.rope.dimension_count", (uint)(p.EmbeddingLength / p.HeadCount));
        KvF32(s, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
        KvF32(s, "llama.rope.freq_base", 10000f);
        foreach (var (_, encoded) in tokenizer)
        {
            s.Write(encoded);
        }

        ulong offset = 0;
        foreach (var t in tensors)
        {
            WriteString(s, t.Name);
            WriteU32(s, (uint)t.Dims.Length);
            foreach (var d in t.Dims)
            {
                WriteU64(s, (ulong)d);
            }
            WriteU32(s, t.Type);
            WriteU64(s, offset);
            offset += (ulong)Align(t.Bytes);
        }
    }

    private static void WriteTensorData(Stream s, Tensor t, ulong seed)
    {
        const int Chunk = 1 << 16; // elements per write; a multiple of the Q8_0 block
        var buffer = new byte[Chunk * 4];
        var rng = new SplitMix64(seed ^ StableHash(t.Name));
        // Uniform on [-a, a] has standard deviation a/sqrt(3); scale so each matrix keeps activations of order one.
        var amplitude = t.Scale * MathF.Sqrt(3f);
        var remaining = t.Elements;
        while (remaining > 0)
        {
            var n = (int)Math.Min(Chunk, remaining);
            var written = t.Type switch
            {
                TypeQ8_0 => FillQ8(buffer, n, amplitude, ref rng),
                TypeF16 => Fill(buffer, n, t, amplitude, ref rng, 2),
                _ => Fill(buffer, n, t, amplitude, ref rng, 4),
            };
            s.Write(buffer, 0, written);
            remaining -= n;
        }
    }

    private static int Fill(byte[] buffer, int n, Tensor t, float amplitude, ref SplitMix64 rng, int width)
    {
        for (var i = 0; i < n; i++)
        {
            var value = t.Constant ? t.Scale : (float)((rng.NextDouble() * 2 - 1) * amplitude);
            if (width == 2)
            {
                BinaryPrimitives.WriteHalfLittleEndian(buffer.AsSpan(i * 2), (Half)value);
            }
            else
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), value);
            }
        }
        return n * width;
    }

    private static int FillQ8(byte[] buffer, int n, float amplitude, ref SplitMix64 rng)
    {
        var scale = (Half)(amplitude / 127f);
        var offset = 0;
        for (var block = 0; block < n / Q8Block; block++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(buffer.AsSpan(offset), scale);
            for (var i = 0; i < Q8Block; i++)
            {
                buffer[offset + 2 + i] = unchecked((byte)(sbyte)Math.Round((rng.NextDouble() * 2 - 1) * 127));
            }
            offset += Q8BlockBytes;
        }
        return offset;
    }

    private static int CountTokens(string vocabPath, IReadOnlyList<(string Key, byte[] Encoded)> tokenizer)
    {
        var tokens = tokenizer.First(e => e.Key == "tokenizer.ggml.tokens").Encoded;
        // key string (8-byte length + bytes), value type (4), element type (4), then the element count.
        var keyLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(tokens);
        var count = BinaryPrimitives.ReadUInt64LittleEndian(tokens.AsSpan(8 + keyLength + 8));
        return count is > 0 and < int.MaxValue
            ? (int)count
            : throw new InvalidDataException($"{vocabPath} declares {count} tokens.");
    }

    private static long Align(long value) => (value + Alignment - 1) / Alignment * Alignment;

    private static void PadTo(Stream s, int alignment)
    {
        var padding = (int)((alignment - (s.Position % alignment)) % alignment);
        for (var i = 0; i < padding; i++)
        {
            s.WriteByte(0);
        }
    }

    private static ulong StableHash(string text)
    {
        // FNV-1a: string.GetHashCode is randomised per process, which would break same-seed determinism.
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }

    private static void KvString(Stream s, string key, string value)
    {
        WriteString(s, key);
        WriteU32(s, 8);
        WriteString(s, value);
    }

    private static void KvU32(Stream s, string key, uint value)
    {
        WriteString(s, key);
        WriteU32(s, 4);
        WriteU32(s, value);
    }

    private static void KvF32(Stream s, string key, float value)
    {
        WriteString(s, key);
        WriteU32(s, 6);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        s.Write(b);
    }

    private static void WriteString(Stream s, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteU64(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteU32(Stream s, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        s.Write(b);
    }

    private static void WriteU64(Stream s, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        s.Write(b);
    }

    /// <summary>SplitMix64: tiny, fast, and specified bit for bit, so a seed means the same weights everywhere.</summary>
    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        public double NextDouble()
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }
}
