using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Storage;

namespace ClusterLlm.Sandbox.Api;

/// <summary>
/// Runs after a write commits: the in-process controllers (CRD registration, garbage collection)
/// that on a real cluster react to the same change through a watch.
/// </summary>
internal interface ICommitObserver
{
    void OnCommitted(ResourceType type, StoredObject? before, StoredObject? after);
}

/// <summary>The admission phase of a write: mutating webhooks, then validating ones.</summary>
internal interface IAdmission
{
    Task<System.Text.Json.Nodes.JsonObject> AdmitAsync(AdmissionAttributes attributes, CancellationToken cancellationToken);
}

/// <summary>What admission sees of a write.</summary>
internal sealed record AdmissionAttributes(ResourceType Type, string Operation, string? Subresource, string Namespace, string Name, System.Text.Json.Nodes.JsonObject? Object, System.Text.Json.Nodes.JsonObject? OldObject, RequestOptions Options);
