namespace ClusterLlm.Runtime.Scheduling;

/// <summary>
/// Sampler settings for one request, applied through llama.cpp's sampler chain.
/// Defaults match llama-server's, so the two produce comparable output lengths.
/// </summary>
internal sealed record SamplingOptions
{
    public float Temperature { get; init; } = 0.8f;
    public int TopK { get; init; } = 40;
    public float TopP { get; init; } = 0.95f;
    public float MinP { get; init; } = 0.05f;
    public float RepeatPenalty { get; init; } = 1.0f;
    public int RepeatLastN { get; init; } = 64;
    public float PresencePenalty { get; init; }
    public float FrequencyPenalty { get; init; }
    public uint? Seed { get; init; }
    public IReadOnlyDictionary<int, float> LogitBias { get; init; } = new Dictionary<int, float>();

    /// <summary>Constrain output to a JSON object (<c>response_format: json_object</c>).</summary>
    public bool JsonObject { get; init; }
}

/// <summary>A tokenized prompt and how to continue it. Built and validated by the HTTP layer.</summary>
internal sealed record GenerationRequest(
    IReadOnlyList<int> PromptTokens,
    int MaxTokens,
    SamplingOptions Sampling,
    IReadOnlyList<string> Stop,
    bool IgnoreEos);
