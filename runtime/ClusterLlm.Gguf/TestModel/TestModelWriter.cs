using System.Buffers.Binary;
using System.Text;

namespace ClusterLlm.Gguf.TestModel;

/// <summary>
/// Writes a llama-architecture GGUF (version 3) with a real tokenizer and deterministic random weights.
/// </summary>
/// <remarks>
/// Managed code over <see cref="GgufWriter"/> rather than <c>llama_model_init_from_user</c> +
/// <c>llama_model_save_to_file</c>: it streams tensors straight to disk (the bench preset never sits in memory),
/// picks each tensor's type (F16 or Q8_0 matrices, F32 norms) without going through llama.cpp's internal saver,
/// needs no native library, and its output is byte-identical for a seed by
/// construction: a stable per-tensor hash seeds a SplitMix64 generator, with no dependence on thread count,
/// allocation order or the C++ standard library's distributions.
/// </remarks>
public static class TestModelWriter
{
    private const string TokensKey = "tokenizer.ggml.tokens";

    // Far above any real vocabulary (Gemma's 262k tokens), still a bound on what a hostile file can make us keep.
    private const int MaxVocabularyEntries = 1 << 22;

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
    /// <exception cref="GgufFormatException">The vocabulary file is not a readable GGUF.</exception>
    /// <exception cref="InvalidDataException">The vocabulary file holds no tokenizer.</exception>
    public static void Write(string outputPath, TestModelPreset preset, ulong seed, string vocabPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentNullException.ThrowIfNull(preset);
        var tokenizer = ReadTokenizer(vocabPath);
        var vocabSize = checked((int)tokenizer.First(e => e.Key == TokensKey).Value.AsArray()!.Length);

        var writer = new GgufWriter()
            .AddString("general.architecture", "llama")
            .AddString("general.name", $"clusterllm-testmodel-{preset.Name}-seed{seed}")
            .AddUInt32("general.file_type", preset.QuantizedWeights ? 7u : 1u) // llama_ftype: mostly Q8_0, or mostly F16
            .AddUInt32("general.alignment", GgufFile.DefaultAlignment)
            .AddUInt32("llama.vocab_size", (uint)vocabSize)
            .AddUInt32("llama.context_length", (uint)preset.ContextLength)
            .AddUInt32("llama.embedding_length", (uint)preset.EmbeddingLength)
            .AddUInt32("llama.block_count", (uint)preset.LayerCount)
            .AddUInt32("llama.feed_forward_length", (uint)preset.FeedForwardLength)
            .AddUInt32("llama.attention.head_count", (uint)preset.HeadCount)
            .AddUInt32("llama.attention.head_count_kv", (uint)preset.KvHeadCount)
            .AddUInt32("llama.rope.dimension_count", (uint)(preset.EmbeddingLength / preset.HeadCount))
            .AddFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
            .AddFloat32("llama.rope.freq_base", 10000f);
        foreach (var (key, value) in tokenizer)
        {
            writer.Add(key, value);
        }

        foreach (var tensor in Tensors(preset, vocabSize))
        {
            writer.AddTensor(tensor.Name, tensor.Dims, tensor.Type, stream => WriteTensorData(stream, tensor, seed));
        }

        writer.WriteTo(outputPath);
    }

    /// <summary>The vocabulary's <c>tokenizer.*</c> entries in file order, token lists included.</summary>
    private static List<KeyValuePair<string, GgufValue>> ReadTokenizer(string vocabPath)
    {
        // Vocabularies and merges run to hundreds of thousands of entries, which the default limits skip.
        var file = GgufFile.Read(vocabPath, new GgufReaderOptions { MaxMaterializedArrayElements = MaxVocabularyEntries });
        var entries = file.Metadata.Where(e => e.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).ToList();
        if (!entries.Any(e => e.Key == TokensKey && e.Value.AsArray() is { Items: not null }))
        {
            throw new InvalidDataException($"{vocabPath} holds no {TokensKey} list: it is not a vocabulary GGUF.");
        }

        if (entries.FirstOrDefault(e => e.Value.AsArray() is { Items: null }) is { Key: not null } tooLong)
        {
            throw new InvalidDataException($"{vocabPath}: {tooLong.Key} has {tooLong.Value.AsArray()!.Length} entries, above the {MaxVocabularyEntries} a test model carries.");
        }

        return entries;
    }

    private sealed record Tensor(string Name, long[] Dims, GgmlType Type, float Scale, bool Constant)
    {
        public long Elements => Dims.Aggregate(1L, (a, b) => a * b);
    }

    private static List<Tensor> Tensors(TestModelPreset p, int vocabSize)
    {
        var matrix = p.QuantizedWeights ? GgmlType.Q8_0 : GgmlType.F16;
        var headDim = p.EmbeddingLength / p.HeadCount;
        var kvWidth = headDim * p.KvHeadCount;
        var inScale = 1f / MathF.Sqrt(p.EmbeddingLength);
        var ffScale = 1f / MathF.Sqrt(p.FeedForwardLength);
        var list = new List<Tensor>
        {
            new("token_embd.weight", [p.EmbeddingLength, vocabSize], GgmlType.F16, 1f, false),
            new("output_norm.weight", [p.EmbeddingLength], GgmlType.F32, 1f, true),
        };
        if (!p.TiedOutput)
        {
            list.Add(new("output.weight", [p.EmbeddingLength, vocabSize], matrix, inScale, false));
        }
        for (var layer = 0; layer < p.LayerCount; layer++)
        {
            var b = $"blk.{layer}.";
            list.Add(new(b + "attn_norm.weight", [p.EmbeddingLength], GgmlType.F32, 1f, true));
            list.Add(new(b + "attn_q.weight", [p.EmbeddingLength, p.EmbeddingLength], matrix, inScale, false));
            list.Add(new(b + "attn_k.weight", [p.EmbeddingLength, kvWidth], matrix, inScale, false));
            list.Add(new(b + "attn_v.weight", [p.EmbeddingLength, kvWidth], matrix, inScale, false));
            list.Add(new(b + "attn_output.weight", [p.EmbeddingLength, p.EmbeddingLength], matrix, inScale, false));
            list.Add(new(b + "ffn_norm.weight", [p.EmbeddingLength], GgmlType.F32, 1f, true));
            list.Add(new(b + "ffn_gate.weight", [p.EmbeddingLength, p.FeedForwardLength], matrix, inScale, false));
            list.Add(new(b + "ffn_up.weight", [p.EmbeddingLength, p.FeedForwardLength], matrix, inScale, false));
            list.Add(new(b + "ffn_down.weight", [p.FeedForwardLength, p.EmbeddingLength], matrix, ffScale, false));
        }
        return list;
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
                GgmlType.Q8_0 => FillQ8(buffer, n, amplitude, ref rng),
                GgmlType.F16 => Fill(buffer, n, t, amplitude, ref rng, 2),
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
