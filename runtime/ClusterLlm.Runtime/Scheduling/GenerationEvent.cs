namespace ClusterLlm.Runtime.Scheduling;

internal enum GenerationEventKind
{
    /// <summary>Prefill began: the request left the queue and holds a slot. The HTTP layer sends its headers now.</summary>
    Started,

    /// <summary>New output text: whole UTF-8 characters only, with stop sequences already held back or cut.</summary>
    Text,

    /// <summary>The last event of a successful request.</summary>
    Finished,

    /// <summary>The last event of a request the engine could not complete.</summary>
    Failed,
}

internal enum FinishReason
{
    Stop,
    Length,
    Abort,
    Error,
}

internal readonly record struct TokenUsage(int PromptTokens, int CachedTokens, int CompletionTokens);

/// <summary>
/// One item on a request's output channel. A struct, so the engine thread publishes a token
/// without allocating anything but the text.
/// </summary>
internal readonly record struct GenerationEvent(
    GenerationEventKind Kind,
    string? Text = null,
    FinishReason FinishReason = FinishReason.Stop,
    TokenUsage Usage = default,
    string? Error = null);
