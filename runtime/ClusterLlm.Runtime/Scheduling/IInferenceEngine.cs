using System.Threading.Channels;

namespace ClusterLlm.Runtime.Scheduling;

internal enum EngineStatus
{
    Loading,
    Ready,
    Draining,
    Failed,
}

internal enum SubmitOutcome
{
    Accepted,
    QueueFull,
    NotReady,
    PromptTooLong,
}

/// <summary>Point-in-time counters for gauges and health, read off the engine thread.</summary>
internal readonly record struct EngineSnapshot(
    int SlotsTotal,
    int SlotsBusy,
    int RequestsWaiting,
    int RequestsRunning,
    double KvCacheUsageRatio,
    DateTimeOffset LastHeartbeat);

/// <summary>A chat message ready for the model's chat template.</summary>
internal sealed record ChatTurn(string Role, string Content);

/// <summary>
/// The one owner of the llama.cpp context. A single decode-loop thread runs it; everything else
/// talks to it through <see cref="TrySubmit"/> and the lease's channel.
/// </summary>
internal interface IInferenceEngine
{
    EngineStatus Status { get; }

    EngineSnapshot Snapshot { get; }

    /// <summary>Tokens one sequence may hold (the per-slot context).</summary>
    int ContextPerSlot { get; }

    /// <summary>Tokens in the model's vocabulary; ids at or above it must never reach llama.cpp.</summary>
    int VocabularySize { get; }

    /// <summary>Queues a request without blocking; a full queue, a loading or draining engine, or an over-long prompt are refused.</summary>
    SubmitOutcome TrySubmit(GenerationRequest request, out GenerationLease? lease);

    IReadOnlyList<int> Tokenize(string text, bool addSpecial, bool parseSpecial);

    string Detokenize(IReadOnlyList<int> tokens);

    /// <summary>Renders the model's chat template (falling back to chatml) with the assistant prefix appended.</summary>
    string ApplyChatTemplate(IReadOnlyList<ChatTurn> messages);

    /// <summary>Stops admitting work and waits up to <paramref name="timeout"/> for running and queued requests to finish.</summary>
    Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// A submitted request's handle. Disposing it before <see cref="GenerationEventKind.Finished"/> cancels the
/// request at whatever stage it is in (queued, prefill, decoding); the slot is free after at most one step.
/// </summary>
internal sealed class GenerationLease(long id, ChannelReader<GenerationEvent> events, Action<long> cancel) : IAsyncDisposable
{
    private int _disposed;

    public long Id { get; } = id;

    public ChannelReader<GenerationEvent> Events { get; } = events;

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && !Events.Completion.IsCompleted)
        {
            cancel(Id);
        }
        return ValueTask.CompletedTask;
    }
}
