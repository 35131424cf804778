using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Storage;

namespace ClusterLlm.Sandbox.Lifecycle;

/// <summary>
/// Deleting a namespace deletes everything in it. Unlike the real namespace controller, the
/// namespace object goes at once (no Terminating phase) and its contents follow in the background.
/// </summary>
internal sealed class NamespaceController(ObjectOperations operations, BackgroundWork work) : ICommitObserver
{
    private static readonly RequestOptions Options = RequestOptions.System("namespace-controller");
    public void OnCommitted(ResourceType type, StoredObject? before, StoredObject? after)
    {
        if (after is null && before is not null && type.Group == "" && type.Resource == "namespaces")
        {
            var ns = before.Name;
            work.Enqueue(ct => DeleteContentsAsync(ns, ct));
        }
    }

    private async Task DeleteContentsAsync(string ns, CancellationToken cancellationToken)
    {
        foreach (var type in operations.Registry.All.Where(t => t.Namespaced && t.Version == t.StorageVersion))
        {
            foreach (var obj in operations.Store.List(type.GroupResource, ns, _ => true, 0, null).Items)
            {
                try
                {
                    await operations.DeleteAsync(type, ns, obj.Name, new DeleteOptions(), Options, cancellationToken).ConfigureAwait(false);
                }
                catch (ApiException e) when (e.Code is 404 or 409)
                {
                    // Already gone or changed under us; the namespace is being emptied either way.
                }
            }
        }
    }
}
