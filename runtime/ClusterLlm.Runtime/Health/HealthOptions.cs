namespace ClusterLlm.Runtime.Health;

internal sealed class HealthOptions
{
    /// <summary>
    /// <c>/livez</c> fails once the engine loop's heartbeat is older than this. The loop beats while idle
    /// too, so only a wedged loop (a hung decode, a deadlock) trips it.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
