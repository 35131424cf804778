using ClusterLlm.Runtime.Scheduling;

namespace ClusterLlm.Runtime.Metrics;

/// <summary>
/// One completion request's clock: marks its milestones and reports them to <see cref="RuntimeMetrics"/>
/// exactly once, when the request ends.
/// </summary>
internal sealed class RequestTelemetry(RuntimeMetrics metrics, TimeProvider time)
{
    private readonly long _arrived = time.GetTimestamp();
    private long _started;
    private long _firstToken;
    private bool _completed;

    public void Started()
    {
        if (_started == 0)
        {
            _started = time.GetTimestamp();
            metrics.RecordQueueTime(time.GetElapsedTime(_arrived, _started));
        }
    }

    public void Token()
    {
        if (_firstToken == 0)
        {
            _firstToken = time.GetTimestamp();
            metrics.RecordTimeToFirstToken(time.GetElapsedTime(_arrived, _firstToken));
        }
    }

    /// <summary>A request the server refused before generating anything.</summary>
    public void Rejected(int statusCode) => Complete(statusCode, "none", null);

    public void Finished(int statusCode, FinishReason reason, TokenUsage usage)
        => Complete(statusCode, Serving.Protocol.CompletionResponseFormat.FinishReasonName(reason), usage);

    public void Aborted(TokenUsage? usage) => Complete(499, "abort", usage);

    public void Failed(int statusCode, bool afterHeaders)
    {
        if (afterHeaders && !_completed)
        {
            metrics.RecordStreamFailure();
        }
        Complete(statusCode, "error", null);
    }

    private void Complete(int statusCode, string finishReason, TokenUsage? usage)
    {
        if (_completed)
        {
            return;
        }
        _completed = true;
        var now = time.GetTimestamp();
        metrics.RecordOutcome(statusCode, finishReason);
        metrics.RecordRequestDuration(time.GetElapsedTime(_arrived, now));
        if (usage is { } u)
        {
            metrics.RecordTokens(u);
            if (_firstToken != 0 && u.CompletionTokens > 1)
            {
                metrics.RecordTimePerOutputToken(time.GetElapsedTime(_firstToken, now) / (u.CompletionTokens - 1));
            }
        }
    }
}
