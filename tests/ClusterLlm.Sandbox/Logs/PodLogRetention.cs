using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Storage;

namespace ClusterLlm.Sandbox.Logs;

/// <summary>A pod's logs go with the pod, as a kubelet removes a deleted pod's containers.</summary>
internal sealed class PodLogRetention(PodLogs logs) : ICommitObserver
{
    public void OnCommitted(ResourceType type, StoredObject? before, StoredObject? after)
    {
        if (after is null && before is not null && type.Group == "" && type.Resource == "pods")
        {
            logs.Remove(before.Namespace, before.Name);
        }
    }
}
