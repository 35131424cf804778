using System.Globalization;

namespace ClusterLlm.Gguf;

/// <summary>Reads the <c>{arch}.*</c> hyperparameters the way llama.cpp's model loader does, tolerating absent keys.</summary>
internal static class GgufFactsReader
{
    private const int MaxLayers = 4096;

    public static GgufFacts Read(GgufModel model)
    {
        var meta = model.Metadata;
        var arch = String(meta, "general.architecture");
        string Key(string suffix) => $"{arch}.{suffix}";

        var layers = Int(meta, Key("block_count")) is { } l && l is > 0 and <= MaxLayers ? (int)l : (int?)null;
        var embedding = Int(meta, Key("embedding_length"));
        var headsPerLayer = PerLayer(meta, Key("attention.head_count"), layers);
        var kvHeadsPerLayer = PerLayer(meta, Key("attention.head_count_kv"), layers);
        if (kvHeadsPerLayer.Length == 0)
        {
            kvHeadsPerLayer = headsPerLayer; // llama.cpp: n_head_kv defaults to n_head
        }

        int? headCount = headsPerLayer.Length > 0 ? headsPerLayer.Max() : null;
        int? kvHeadCount = kvHeadsPerLayer.Length > 0 ? kvHeadsPerLayer.Max() : null;
        var defaultHeadSize = embedding is > 0 && headCount is > 0 ? (int)(embedding.Value / headCount.Value) : (int?)null;

        var (layerBytes, outputBytes, inputBytes) = TensorBytesByPlacement(model.Tensors, layers ?? 0);
        return new GgufFacts
        {
            Architecture = arch,
            Name = String(meta, "general.name"),
            Parameters = model.Tensors.Sum(t => t.ElementCount),
            FileType = FileType(meta, model.Tensors),
            ContextLength = Int(meta, Key("context_length")),
            Layers = layers,
            EmbeddingLength = embedding,
            FeedForwardLength = MaxOf(meta, Key("feed_forward_length")),
            HeadCount = headCount,
            HeadCountKv = kvHeadCount,
            KeyLength = ClampInt(Int(meta, Key("attention.key_length"))) ?? defaultHeadSize,
            ValueLength = ClampInt(Int(meta, Key("attention.value_length"))) ?? defaultHeadSize,
            VocabSize = VocabSize(meta, model.Tensors, Key("vocab_size")),
            HasChatTemplate = !string.IsNullOrEmpty(String(meta, "tokenizer.chat_template")),
            ExpertCount = ClampInt(Int(meta, Key("expert_count"))),
            ExpertUsedCount = ClampInt(Int(meta, Key("expert_used_count"))),
            SlidingWindow = Int(meta, Key("attention.sliding_window")),
            TensorCount = model.Tensors.Count,
            TensorBytes = model.Tensors.Sum(t => t.ByteSize),
            FileBytes = model.FileBytes,
            SplitCount = model.Parts.Count,
            HeadCountPerLayer = headsPerLayer,
            HeadCountKvPerLayer = kvHeadsPerLayer,
            LayerTensorBytes = layerBytes,
            OutputTensorBytes = outputBytes,
            InputTensorBytes = inputBytes,
        };
    }

    private static string? String(IReadOnlyDictionary<string, GgufValue> meta, string key) =>
        meta.TryGetValue(key, out var v) ? v.AsString() : null;

    private static long? Int(IReadOnlyDictionary<string, GgufValue> meta, string key) =>
        meta.TryGetValue(key, out var v) && v.TryGetInt64(out var n) ? n : null;

    private static int? ClampInt(long? value) => value is >= 0 and <= int.MaxValue ? (int)value.Value : null;

    private static long? MaxOf(IReadOnlyDictionary<string, GgufValue> meta, string key)
    {
        if (!meta.TryGetValue(key, out var v))
        {
            return null;
        }

        if (v.TryGetInt64(out var n))
        {
            return n;
        }

        return v.AsArray()?.AsInt64List() is { Count: > 0 } list ? list.Max() : null;
    }

    // A hyperparameter that is either one value for all layers or an array with one value per layer.
    private static int[] PerLayer(IReadOnlyDictionary<string, GgufValue> meta, string key, int? layers)
    {
        if (!meta.TryGetValue(key, out var v) || layers is not { } n)
        {
            return [];
        }

        if (v.TryGetInt64(out var scalar))
        {
            return ClampInt(scalar) is { } s ? Enumerable.Repeat(s, n).ToArray() : [];
        }

        if (v.AsArray()?.AsInt64List() is { } list && list.Count == n)
        {
            var result = new int[n];
            for (var i = 0; i < n; i++)
            {
                if (ClampInt(list[i]) is not { } value)
                {
                    return [];
                }

                result[i] = value;
            }

            return result;
        }

        return [];
    }

    private static long? VocabSize(IReadOnlyDictionary<string, GgufValue> meta, IReadOnlyList<GgufTensorInfo> tensors, string key)
    {
        if (Int(meta, key) is { } declared)
        {
            return declared;
        }

        if (meta.TryGetValue("tokenizer.ggml.tokens", out var tokens) && tokens.AsArray() is { } array)
        {
            return array.Length;
        }

        return tensors.FirstOrDefault(t => t.Name == "token_embd.weight") is { Dimensions.Count: >= 2 } embd ? embd.Dimensions[1] : null;
    }

    private static string? FileType(IReadOnlyDictionary<string, GgufValue> meta, IReadOnlyList<GgufTensorInfo> tensors)
    {
        if (Int(meta, "general.file_type") is { } code)
        {
            return LlamaFileType.NameOf(code) ?? string.Create(CultureInfo.InvariantCulture, $"unknown({code})");
        }

        // Without a declared file type, name the type holding most of the matrix bytes, as a quantizer would.
        return tensors
            .Where(t => t.Dimensions.Count >= 2)
            .GroupBy(t => t.Type)
            .OrderByDescending(g => g.Sum(t => t.ByteSize))
            .Select(g => g.Key.ToString())
            .FirstOrDefault();
    }

    private static (long[] Layers, long Output, long Input) TensorBytesByPlacement(IReadOnlyList<GgufTensorInfo> tensors, int layers)
    {
        var perLayer = new long[layers];
        long output = 0, input = 0;
        foreach (var tensor in tensors)
        {
            if (BlockIndex(tensor.Name) is { } block && block < layers)
            {
                perLayer[block] += tensor.ByteSize;
            }
            else if (tensor.Name.StartsWith("output", StringComparison.Ordinal))
            {
                output += tensor.ByteSize;
            }
            else
            {
                input += tensor.ByteSize;
            }
        }

        return (perLayer, output, input);
    }

    private static int? BlockIndex(string name)
    {
        if (!name.StartsWith("blk.", StringComparison.Ordinal))
        {
            return null;
        }

        var end = name.IndexOf('.', 4);
        var digits = end < 0 ? name.AsSpan(4) : name.AsSpan(4, end - 4);
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
    }
}
