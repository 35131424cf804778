using Microsoft.Extensions.Hosting;

namespace ClusterLlm.Sandbox.Hosting;

/// <summary>
/// The listener's host neither listens for Ctrl+C/SIGTERM nor stops the process: the sandbox is
/// embedded in tests, and the executable handles signals itself.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
