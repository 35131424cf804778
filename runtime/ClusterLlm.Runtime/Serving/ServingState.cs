namespace ClusterLlm.Runtime.Serving;

/// <summary>
/// Whether this replica has begun shutting down. Set the moment SIGTERM arrives, before the engine is
/// told, so readiness and admission flip at once.
/// </summary>
internal sealed class ServingState
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public void BeginDrain() => _draining = true;
}
