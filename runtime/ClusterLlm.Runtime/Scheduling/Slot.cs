using System.Threading.Channels;

namespace ClusterLlm.Runtime.Scheduling;

internal enum SlotState
{
    Idle,
    Prefill,
    Generating,
}

/// <summary>A submitted request from the moment it is accepted until its last event.</summary>
internal sealed class EngineRequest(long id, long arrival, GenerationRequest request, ChannelWriter<GenerationEvent> events)
{
    public long Id { get; } = id;

    /// <summary>Submission order: queued requests are admitted, and prefilled, in this order.</summary>
    public long Arrival { get; } = arrival;

    public GenerationRequest Request { get; } = request;

    public ChannelWriter<GenerationEvent> Events { get; } = events;
}

/// <summary>
/// One sequence of the shared context. Owned by the decode loop thread; nothing else reads or writes it.
/// </summary>
internal sealed class Slot(int id)
{
    public int Id { get; } = id;

    public SlotState State { get; set; }

    /// <summary>Exactly the tokens the KV cache holds for this sequence, at positions 0..Count-1.</summary>
    public List<int> Cached { get; } = [];

    /// <summary>Release order, for least-recently-used selection.</summary>
    public long LastUsed { get; set; }

    public EngineRequest? Request { get; set; }

    public SlotSampler? Sampler { get; set; }

    public StreamingText? Text { get; set; }

    /// <summary>Index into the prompt of the next token to prefill.</summary>
    public int PrefillNext { get; set; }

    /// <summary>Prompt tokens found in the cache at admission.</summary>
    public int CachedPromptTokens { get; set; }

    /// <summary>Tokens sampled so far.</summary>
    public int Generated { get; set; }

    /// <summary>The sampled token waiting to be decoded.</summary>
    public int LastSampled { get; set; }

    /// <summary>Batch index whose logits this slot samples from after the current decode; -1 when none.</summary>
    public int OutputIndex { get; set; } = -1;

    /// <summary>One past the last batch index holding this slot's tokens in the current batch; -1 when none.</summary>
    public int BatchEnd { get; set; } = -1;

    public bool Busy => State != SlotState.Idle;
}
