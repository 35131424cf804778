using ClusterLlm.Runtime.Scheduling;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Serving;

/// <summary>
/// Graceful shutdown. On SIGTERM the host calls <see cref="StoppingAsync"/> before stopping anything,
/// while Kestrel still serves: readiness and admission flip at once (new requests get 503), and the
/// engine finishes what it accepted, up to the drain timeout. Only then does the server stop.
/// </summary>
internal sealed partial class DrainService(
    IInferenceEngine engine,
    ServingState serving,
    IOptions<ServerOptions> options,
    TimeProvider time,
    ILogger<DrainService> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        serving.BeginDrain();
        var snapshot = engine.Snapshot;
        var timeout = options.Value.DrainTimeout;
        Log.DrainStarted(logger, snapshot.RequestsRunning, snapshot.RequestsWaiting, timeout.TotalSeconds);
        var started = time.GetTimestamp();
        await engine.DrainAsync(timeout, cancellationToken).ConfigureAwait(false);
        Log.DrainFinished(logger, time.GetElapsedTime(started).TotalMilliseconds, engine.Snapshot.RequestsRunning);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Draining: {Running} running and {Waiting} waiting requests get up to {TimeoutSeconds} s", EventName = "DrainStarted")]
        public static partial void DrainStarted(ILogger logger, int running, int waiting, double timeoutSeconds);

        [LoggerMessage(2, LogLevel.Information, "Drained in {ElapsedMs} ms; {Running} requests still running", EventName = "DrainFinished")]
        public static partial void DrainFinished(ILogger logger, double elapsedMs, int running);
    }
}
