namespace ClusterLlm.Gguf.Memory;

/// <summary>
/// Estimates what llama.cpp allocates for a model under given runtime settings: the weights, the KV
/// cache (sized exactly as llama.cpp sizes it) and the compute buffers (a model of the peak of the
/// worst-case prompt-processing graph that llama.cpp reserves at context creation).
/// </summary>
public static class MemoryEstimator
{
    // llama.cpp pads each sequence's context to a multiple of 256 cells (llama-context.cpp).
    private const int ContextPadding = 256;

    /// <summary>
    /// Estimates one replica's memory. Throws <see cref="ArgumentException"/> naming the setting or fact
    /// that makes an estimate impossible (no block count, a KV type that does not divide the rows, sizes
    /// beyond 64-bit).
    /// </summary>
    public static MemoryEstimate Estimate(GgufFacts facts, EstimateSettings settings)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        try
        {
            return EstimateChecked(facts, settings);
        }
        catch (OverflowException e)
        {
            throw new ArgumentException("the model's hyperparameters are too large for a 64-bit memory estimate", nameof(facts), e);
        }
    }

    private static MemoryEstimate EstimateChecked(GgufFacts facts, EstimateSettings settings)
    {
        var layers = facts.Layers ?? throw new ArgumentException("the model does not declare its block count, so its memory cannot be estimated", nameof(facts));
        var offloaded = settings.GpuLayers < 0 ? layers : Math.Min(settings.GpuLayers, layers);
        var outputOffloaded = settings.GpuLayers < 0 || settings.GpuLayers > layers;

        // Per slot streams pad each sequence's context; a unified pool pads the total. Attention in the
        // reserved graph spans one stream: a slot's context, or the whole pool.
        var kvTokens = settings.KvUnified
            ? Pad((long)settings.ContextSize * settings.ParallelSlots)
            : checked(Pad(settings.ContextSize) * settings.ParallelSlots);
        var contextPerSequence = settings.KvUnified ? kvTokens : Pad(settings.ContextSize);

        long deviceWeights = 0, deviceKv = 0;
        long totalKv = 0;
        for (var il = 0; il < layers; il++)
        {
            var layerKv = LayerKvBytes(facts, il, kvTokens, settings);
            totalKv = checked(totalKv + layerKv);
            if (il >= layers - offloaded)
            {
                deviceKv += layerKv;
                deviceWeights = checked(deviceWeights + (il < facts.LayerTensorBytes.Count ? facts.LayerTensorBytes[il] : 0));
            }
        }

        if (outputOffloaded)
        {
            deviceWeights += facts.OutputTensorBytes;
        }

        var compute = ComputeBytes(facts, settings, contextPerSequence, kvTokens);
        var outputs = OutputBufferBytes(facts, settings);
        var deviceCompute = offloaded > 0 ? compute : 0;
        var hostCompute = outputs + (offloaded > 0 ? HostInputBytes(facts, settings, kvTokens) : compute);

        var total = new MemoryBreakdown(facts.TensorBytes, totalKv, deviceCompute + hostCompute);
        var device = new MemoryBreakdown(deviceWeights, deviceKv, deviceCompute);
        var host = new MemoryBreakdown(facts.TensorBytes - deviceWeights, totalKv - deviceKv, hostCompute);
        return new MemoryEstimate(total, device, host, offloaded, kvTokens);
    }

    private static long Pad(long cells) => checked((cells + ContextPadding - 1) / ContextPadding * ContextPadding);

    private static long LayerKvBytes(GgufFacts facts, int layer, long kvTokens, EstimateSettings settings)
    {
        var kvHeads = layer < facts.HeadCountKvPerLayer.Count ? facts.HeadCountKvPerLayer[layer] : facts.HeadCountKv ?? 0;
        var keyBytes = RowBytes(settings.CacheTypeK, facts.KeyLength ?? 0, kvHeads, nameof(settings.CacheTypeK));
        var valueBytes = RowBytes(settings.CacheTypeV, facts.ValueLength ?? 0, kvHeads, nameof(settings.CacheTypeV));
        return checked(kvTokens * (keyBytes + valueBytes));
    }

    // llama.cpp refuses a quantized cache whose blocks would straddle two heads.
    private static long RowBytes(KvCacheType type, long headSize, long heads, string field)
    {
        var ggml = type.ToGgmlType();
        GgmlTypeTraits.TryGet(ggml, out var block, out _);
        if (headSize % block != 0)
        {
            throw new ArgumentException($"{field} {type} needs a head size divisible by {block}, but this model's is {headSize}", field);
        }

        return GgmlTypeTraits.RowBytes(ggml, checked(headSize * heads));
    }

    // llama.cpp reserves the graph of one worst-case micro-batch of T tokens when it creates a context,
    // and ggml's allocator reuses freed tensors, so the buffer is the attention mask (an input alive for
    // the whole pass) plus the largest set of tensors alive at one time: in the feed-forward block (gate,
    // up and their product beside the residual stream), in attention (without flash attention, the
    // H x T x n_kv score matrix) or at the output head. Fitted against the buffers llama.cpp reports
    // for the llama-architecture test models (see MemoryEstimatorLlamaCppTests).
    private static long ComputeBytes(GgufFacts facts, EstimateSettings settings, long contextPerSequence, long kvTokens)
    {
        checked
        {
            const long f32 = sizeof(float);
            long tokens = Tokens(settings, kvTokens);
            long embd = facts.EmbeddingLength ?? 0;
            long ff = facts.FeedForwardLength ?? 0;
            long vocab = facts.VocabSize ?? 0;
            long heads = facts.HeadCount ?? 0;
            long kvHeads = facts.HeadCountKv ?? heads;
            long keyLength = facts.KeyLength ?? 0;
            long valueLength = facts.ValueLength ?? 0;
            long experts = Math.Max(1, facts.ExpertUsedCount ?? 1);

            var feedForward = f32 * tokens * ((3 * ff * experts) + (4 * embd));
            var projections = (3 * embd) + (2 * heads * keyLength) + (2 * kvHeads * keyLength);
            var attention = settings.FlashAttention
                ? f32 * tokens * (projections + (heads * valueLength))
                : f32 * tokens * (projections + (heads * contextPerSequence));
            var output = f32 * ((OutputRows(settings, tokens) * vocab) + (2 * embd * tokens));
            var mask = (settings.FlashAttention ? sizeof(short) : f32) * contextPerSequence * tokens;
            return mask + Math.Max(output, Math.Max(feedForward, attention));
        }
    }

    // The host buffer for logits: one row per output llama.cpp keeps.
    private static long OutputBufferBytes(GgufFacts facts, EstimateSettings settings) =>
        checked(sizeof(float) * OutputRows(settings, settings.BatchSize) * (facts.VocabSize ?? 0));

    // With layers offloaded, the host still embeds the input tokens.
    private static long HostInputBytes(GgufFacts facts, EstimateSettings settings, long kvTokens) =>
        checked(sizeof(float) * Tokens(settings, kvTokens) * (facts.EmbeddingLength ?? 0));

    private static long Tokens(EstimateSettings settings, long kvTokens) =>
        Math.Min(Math.Min(settings.BatchSize, settings.UbatchSize), kvTokens);

    private static long OutputRows(EstimateSettings settings, long tokens) =>
        Math.Min(tokens, settings.MaxOutputs ?? settings.ParallelSlots);
}
