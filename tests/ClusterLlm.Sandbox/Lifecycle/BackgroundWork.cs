using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ClusterLlm.Sandbox.Lifecycle;

/// <summary>
/// One queue of follow-up work for the in-process controllers (CRD establishment and cleanup,
/// garbage collection), run in order off the request path, as their real counterparts run in
/// their own control loops.
/// </summary>
internal sealed partial class BackgroundWork : IAsyncDisposable
{
    private readonly Channel<Func<CancellationToken, Task>> _queue = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private readonly Task _loop;
    private int _pending;

    public BackgroundWork(ILogger<BackgroundWork> logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Whether queued work remains; tests wait on it instead of sleeping.</summary>
    public bool Idle => Volatile.Read(ref _pending) == 0;

    public void Enqueue(Func<CancellationToken, Task> work)
    {
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(work))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        await foreach (var work in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (!_stopping.IsCancellationRequested)
                {
                    await work(_stopping.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested)
            {
                Log.WorkFailed(_logger, e);
            }
            catch (OperationCanceledException)
            {
                // Shutting down: pending follow-ups are dropped with the in-memory state.
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "A sandbox controller step failed; it runs again on the next change to the object")]
        public static partial void WorkFailed(ILogger logger, Exception exception);
    }
}
