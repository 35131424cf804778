namespace ClusterLlm.Runtime.Serving.Streaming;

/// <summary>
/// Cancels <see cref="Token"/> once a stream has been silent for the ping interval, so the writer can
/// send a keep-alive comment. The token is also cancelled when the client goes away. Waiting on it
/// costs nothing per token: the timer only looks at a timestamp.
/// </summary>
internal sealed class KeepAliveTimer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly CancellationToken _aborted;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private CancellationTokenSource _silence;
    private long _lastActivity;

    public KeepAliveTimer(TimeProvider time, TimeSpan interval, CancellationToken aborted)
    {
        _time = time;
        _interval = interval;
        _aborted = aborted;
        _lastActivity = time.GetTimestamp();
        _silence = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        // Checking at half the interval bounds the silence to 1.5 intervals.
        var period = interval / 2;
        _timer = time.CreateTimer(static state => ((KeepAliveTimer)state!).Check(), this, period, period);
    }

    public CancellationToken Token => _silence.Token;

    /// <summary>True when <see cref="Token"/> fired for silence, not because the client left.</summary>
    public bool PingDue => !_aborted.IsCancellationRequested && _silence.IsCancellationRequested;

    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    /// <summary>After a ping: a fresh token and a fresh silence period.</summary>
    public void Rearm()
    {
        lock (_gate)
        {
            _silence.Dispose();
            _silence = CancellationTokenSource.CreateLinkedTokenSource(_aborted);
        }
        Touch();
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            _silence.Dispose();
        }
    }

    private void Check()
    {
        if (_time.GetElapsedTime(Volatile.Read(ref _lastActivity)) < _interval)
        {
            return;
        }
        lock (_gate)
        {
            try
            {
                _silence.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The stream ended between the check and the cancel.
            }
        }
    }
}
