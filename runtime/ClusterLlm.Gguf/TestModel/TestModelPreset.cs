namespace ClusterLlm.Gguf.TestModel;

/// <summary>
/// The shape of a random-weight llama model. Throughput depends on shape and weight type, not on weight values.
/// <paramref name="QuantizedWeights"/> stores the layer and output matrices as Q8_0 instead of F16.
/// </summary>
public sealed record TestModelPreset(
    string Name,
    int EmbeddingLength,
    int LayerCount,
    int HeadCount,
    int KvHeadCount,
    int FeedForwardLength,
    int ContextLength,
    bool TiedOutput,
    bool QuantizedWeights = false)
{
    /// <summary>About 8.6 MiB: loads in milliseconds, for unit tests.</summary>
    public static TestModelPreset Tiny { get; } = new("tiny", 64, 2, 4, 2, 128, 4096, TiedOutput: false);

    /// <summary>About 38 MiB: enough layers and width for behaviour that needs a less trivial network.</summary>
    public static TestModelPreset Small { get; } = new("small", 256, 4, 8, 4, 768, 4096, TiedOutput: false);

    /// <summary>
    /// About 317 MiB, mostly Q8_0 matrices (F16 embeddings), so decoding streams hundreds of MB per token and is
    /// memory-bound as with real quantized models; F16 matrices would make a CPU compute-bound instead.
    /// </summary>
    public static TestModelPreset Bench { get; } = new("bench", 1024, 16, 16, 4, 3584, 8192, TiedOutput: false, QuantizedWeights: true);

    public static IReadOnlyList<TestModelPreset> All { get; } = [Tiny, Small, Bench];

    public static TestModelPreset? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
