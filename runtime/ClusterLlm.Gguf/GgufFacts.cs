using System.Text.Json.Serialization;

namespace ClusterLlm.Gguf;

/// <summary>
/// What the operator and the memory estimator need to know about a model, derived from its GGUF
/// metadata and tensor infos. Facts the file does not state are null. Serialises to the compact JSON
/// the pull Job reports in its termination message (per-layer details stay out of it).
/// </summary>
public sealed record GgufFacts
{
    public string? Architecture { get; init; }

    public string? Name { get; init; }

    /// <summary>Sum of the element counts of all tensors, as llama.cpp's <c>llama_model_n_params</c> counts.</summary>
    public long Parameters { get; init; }

    /// <summary>The quantization name (Q4_K_M, F16, ...), from <c>general.file_type</c> or guessed from the tensors.</summary>
    public string? FileType { get; init; }

    public long? ContextLength { get; init; }

    public int? Layers { get; init; }

    public long? EmbeddingLength { get; init; }

    public long? FeedForwardLength { get; init; }

    /// <summary>Attention heads (the largest layer's, when the count varies by layer).</summary>
    public int? HeadCount { get; init; }

    /// <summary>Key/value heads (the largest layer's, when the count varies by layer).</summary>
    public int? HeadCountKv { get; init; }

    public int? KeyLength { get; init; }

    public int? ValueLength { get; init; }

    public long? VocabSize { get; init; }

    public bool HasChatTemplate { get; init; }

    public int? ExpertCount { get; init; }

    public int? ExpertUsedCount { get; init; }

    /// <summary>Sliding-window size for models with windowed attention layers.</summary>
    public long? SlidingWindow { get; init; }

    public int TensorCount { get; init; }

    public long TensorBytes { get; init; }

    public long FileBytes { get; init; }

    public int SplitCount { get; init; } = 1;

    /// <summary>KV heads of each layer (0 for a layer without attention KV).</summary>
    [JsonIgnore]
    public IReadOnlyList<int> HeadCountKvPerLayer { get; init; } = [];

    /// <summary>Attention heads of each layer.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> HeadCountPerLayer { get; init; } = [];

    /// <summary>Tensor bytes of each repeating block (<c>blk.N.*</c>).</summary>
    [JsonIgnore]
    public IReadOnlyList<long> LayerTensorBytes { get; init; } = [];

    /// <summary>Tensor bytes of the output head (<c>output.*</c>, <c>output_norm.*</c>), offloaded with the last layer.</summary>
    [JsonIgnore]
    public long OutputTensorBytes { get; init; }

    /// <summary>Tensor bytes outside the blocks and the output head (token embeddings), which llama.cpp keeps on the host.</summary>
    [JsonIgnore]
    public long InputTensorBytes { get; init; }

    /// <summary>Derives the facts of a model.</summary>
    public static GgufFacts From(GgufModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return GgufFactsReader.Read(model);
    }
}
