namespace ClusterLlm.LlamaCpp.TestModels;

/// <summary>The shape of a random-weight llama model. Throughput depends on shape, not on weight values.</summary>
public sealed record TestModelPreset(
    string Name,
    int EmbeddingLength,
    int LayerCount,
    int HeadCount,
    int KvHeadCount,
    int FeedForwardLength,
    int ContextLength,
    bool TiedOutput)
{
    /// <summary>A few MB: loads in milliseconds, for unit tests.</summary>
    public static TestModelPreset Tiny { get; } = new("tiny", 64, 2, 4, 2, 128, 4096, TiedOutput: false);

    /// <summary>About 40 MB: enough layers and width for behaviour that needs a less trivial network.</summary>
    public static TestModelPreset Small { get; } = new("small", 256, 4, 8, 4, 768, 4096, TiedOutput: false);

    /// <summary>About 400 MB of F16 weights, so decoding is memory-bound as with real models.</summary>
    public static TestModelPreset Bench { get; } = new("bench", 1024, 12, 16, 4, 2816, 8192, TiedOutput: false);

    public static IReadOnlyList<TestModelPreset> All { get; } = [Tiny, Small, Bench];

    public static TestModelPreset? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
