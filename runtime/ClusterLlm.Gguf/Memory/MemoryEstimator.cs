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

        var contextPerSequence = checked((settings.ContextSize + ContextPadding - 1) / ContextPadding * ContextPadding);
        var kvTokens = checked(contextPerSequence * settings.ParallelSlots);

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
        var hostInputs = InputBufferBytes(facts, settings, kvTokens);
        var deviceCompute = offloaded > 0 ? compute : 0;
        var hostCompute = offloaded > 0 ? hostInputs : compute;

        var total = new MemoryBreakdown(facts.TensorBytes, totalKv, deviceCompute + hostCompute);
        var device = new MemoryBreakdown(deviceWeights, deviceKv, deviceCompute);
        var host = new MemoryBreakdown(facts.TensorBytes - deviceWeights, totalKv - deviceKv, hostCompute);
        return new MemoryEstimate(total, device, host, offloaded, kvTokens);
    }

    private static long LayerKvBytes(GgufFacts facts, int layer, long kvTokens, EstimateSettings settings)
    {
        var kvHeads = layer < facts.HeadCountKvPerLayer.Count ? facts.HeadCountKvPerLayer[layer] : facts.HeadCountKv ?? 0;
        var keyWidth = (long)kvHeads * (facts.KeyLength ?? 0);
        var valueWidth = (long)kvHeads * (facts.ValueLength ?? 0);
        return checked(kvTokens * (RowBytes(settings.CacheTypeK, keyWidth, nameof(settings.CacheTypeK)) + RowBytes(settings.CacheTypeV, valueWidth, nameof(settings.CacheTypeV))));
    }

    private static long RowBytes(KvCacheType type, long width, string field)
    {
        var ggml = type.ToGgmlType();
        GgmlTypeTraits.TryGet(ggml, out var block, out _);
        if (width % block != 0)
        {
            throw new ArgumentException($"{field} {type} needs a KV row width divisible by {block}, but this model's is {width}", field);
        }

        return GgmlTypeTraits.RowBytes(ggml, width);
    }

    // The graph llama.cpp reserves processes one micro-batch of T tokens, all of them outputs. ggml's
    // allocator reuses freed tensors, so the buffer is the largest set of tensors alive at one time:
    // at the output head (hidden state, its norm and the logits), in the feed-forward block (gate, up
    // and their product beside the residual stream) or in attention.
    private static long ComputeBytes(GgufFacts facts, EstimateSettings settings, long contextPerSequence, long kvTokens)
    {
        checked
        {
            const long f32 = sizeof(float);
            long tokens = Math.Min(Math.Min(settings.BatchSize, settings.UbatchSize), kvTokens);
            long embd = facts.EmbeddingLength ?? 0;
            long ff = facts.FeedForwardLength ?? 0;
            long vocab = facts.VocabSize ?? 0;
            long heads = facts.HeadCount ?? 0;
            long kvHeads = facts.HeadCountKv ?? heads;
            long keyLength = facts.KeyLength ?? 0;
            long valueLength = facts.ValueLength ?? 0;
            var experts = Math.Max(1, facts.ExpertUsedCount ?? 1);

            var output = f32 * tokens * (vocab + 2 * embd);
            var feedForward = f32 * tokens * ((3 * ff * experts) + (2 * embd));
            var projections = (2 * embd) + (heads * keyLength * 2) + (kvHeads * keyLength * 2) + (kvHeads * valueLength);
            var attention = settings.FlashAttention
                ? f32 * tokens * (projections + (heads * valueLength))
                : f32 * tokens * (projections + (2 * heads * contextPerSequence));
            return Math.Max(output, Math.Max(feedForward, attention)) + InputBufferBytes(facts, settings, kvTokens);
        }
    }

    // Graph inputs that stay allocated for the whole pass: token embeddings and the attention mask.
    private static long InputBufferBytes(GgufFacts facts, EstimateSettings settings, long kvTokens)
    {
        long tokens = Math.Min(Math.Min(settings.BatchSize, settings.UbatchSize), kvTokens);
        var maskBytes = settings.FlashAttention ? sizeof(float) + 2 : sizeof(float);
        return checked((sizeof(float) * tokens * (facts.EmbeddingLength ?? 0)) + (maskBytes * tokens * kvTokens / settings.ParallelSlots));
    }
}
