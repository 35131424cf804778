using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Storage;

namespace ClusterLlm.Sandbox.Lifecycle;

/// <summary>
/// The garbage collector: when an owner goes, dependents with no remaining owner are deleted
/// (background); an owner marked with <c>foregroundDeletion</c> waits until its dependents are gone;
/// one marked <c>orphan</c> has its ownerReferences removed from them before it goes.
/// </summary>
internal sealed class GarbageCollector(ObjectOperations operations, BackgroundWork work) : ICommitObserver
{
    private static readonly RequestOptions Options = RequestOptions.System("generic-garbage-collector");
    public void OnCommitted(ResourceType type, StoredObject? before, StoredObject? after)
    {
        if (after is null)
        {
            var uid = before!.Uid;
            work.Enqueue(ct => CollectDependentsAsync(uid, ct));
            foreach (var owner in OwnerReferences(before.Object))
            {
                var ownerType = operations.Registry.FindKind(owner.ApiVersion, owner.Kind);
                if (ownerType is not null)
                {
                    var ns = ownerType.Namespaced ? before.Namespace : "";
                    work.Enqueue(ct => FinishDependentsAsync(ownerType, ns, owner.Name, ct));
                }
            }

            return;
        }

        if (after.Metadata?["deletionTimestamp"] is not null && HasFinalizer(after.Object, Finalizers.Foreground, Finalizers.Orphan))
        {
            work.Enqueue(ct => FinishDependentsAsync(type, after.Namespace, after.Name, ct));
        }
    }

    /// <summary>Deletes the dependents of a deleted owner that no longer have any live owner.</summary>
    private async Task CollectDependentsAsync(string ownerUid, CancellationToken cancellationToken)
    {
        foreach (var key in operations.Store.Dependents(ownerUid))
        {
            var type = operations.Registry.FindStorage(key.Resource);
            var dependent = type is null ? null : operations.Store.Get(key.Resource, key.Namespace, key.Name);
            if (type is null || dependent is null || dependent.Metadata?["deletionTimestamp"] is not null)
            {
                continue;
            }

            if (OwnerReferences(dependent.Object).All(o => !OwnerExists(o, dependent.Namespace)))
            {
                await DeleteQuietlyAsync(type, dependent, PropagationPolicy.Background, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Moves an owner in foreground or orphan deletion one step: delete or release dependents, then lift the finalizer.</summary>
    private async Task FinishDependentsAsync(ResourceType type, string ns, string name, CancellationToken cancellationToken)
    {
        var owner = operations.Store.Get(type.GroupResource, ns, name);
        if (owner is null || owner.Metadata?["deletionTimestamp"] is null)
        {
            return;
        }

        var dependents = operations.Store.Dependents(owner.Uid);
        if (HasFinalizer(owner.Object, Finalizers.Orphan))
        {
            foreach (var key in dependents)
            {
                await ReleaseAsync(key, owner.Uid, cancellationToken).ConfigureAwait(false);
            }

            await RemoveFinalizerAsync(type, owner, Finalizers.Orphan, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!HasFinalizer(owner.Object, Finalizers.Foreground))
        {
            return;
        }

        var remaining = 0;
        foreach (var key in dependents)
        {
            var dependentType = operations.Registry.FindStorage(key.Resource);
            var dependent = dependentType is null ? null : operations.Store.Get(key.Resource, key.Namespace, key.Name);
            if (dependentType is null || dependent is null)
            {
                continue;
            }

            remaining++;
            if (dependent.Metadata?["deletionTimestamp"] is null)
            {
                await DeleteQuietlyAsync(dependentType, dependent, PropagationPolicy.Foreground, cancellationToken).ConfigureAwait(false);
            }
        }

        if (remaining == 0 || operations.Store.Dependents(owner.Uid).Count == 0)
        {
            await RemoveFinalizerAsync(type, owner, Finalizers.Foreground, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReleaseAsync(ObjectKey key, string ownerUid, CancellationToken cancellationToken)
    {
        var type = operations.Registry.FindStorage(key.Resource);
        var dependent = type is null ? null : operations.Store.Get(key.Resource, key.Namespace, key.Name);
        if (type is null || dependent is null)
        {
            return;
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["ownerReferences"] = new JsonArray(OwnerReferenceNodes(dependent.Object).Where(o => o["uid"]?.GetValue<string>() != ownerUid).Select(o => o.DeepClone()).ToArray()),
            },
        };
        await operations.PatchAsync(type, key.Namespace, key.Name, null, "application/merge-patch+json", System.Text.Encoding.UTF8.GetBytes(patch.ToJsonString()), Options, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveFinalizerAsync(ResourceType type, StoredObject owner, string finalizer, CancellationToken cancellationToken)
    {
        var obj = owner.Clone();
        var finalizers = ObjectMeta.Of(obj)["finalizers"] as JsonArray ?? [];
        ObjectMeta.Of(obj)["finalizers"] = new JsonArray(finalizers.Where(f => f?.GetValue<string>() != finalizer).Select(f => f?.DeepClone()).ToArray());
        try
        {
            await operations.UpdateAsync(type, owner.Namespace, owner.Name, null, obj, Options, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            // Gone or changed meanwhile; the change that raced us schedules the next step.
        }
    }

    private async Task DeleteQuietlyAsync(ResourceType type, StoredObject obj, PropagationPolicy propagation, CancellationToken cancellationToken)
    {
        try
        {
            await operations.DeleteAsync(type, obj.Namespace, obj.Name, new DeleteOptions(propagation, obj.Uid), Options, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            // Deleted or replaced by someone else in the meantime: nothing left to collect.
        }
    }

    private bool OwnerExists(OwnerReference owner, string dependentNamespace)
    {
        var type = operations.Registry.FindKind(owner.ApiVersion, owner.Kind);
        if (type is null)
        {
            // An owner of an unknown kind is treated as absent, as the real collector does once discovery lacks it.
            return false;
        }

        return operations.Store.Get(type.GroupResource, type.Namespaced ? dependentNamespace : "", owner.Name)?.Uid == owner.Uid;
    }

    private static bool HasFinalizer(JsonObject obj, params string[] names) =>
        (ObjectMeta.Of(obj)["finalizers"] as JsonArray)?.Any(f => names.Contains(f?.GetValue<string>())) == true;

    private static IEnumerable<JsonObject> OwnerReferenceNodes(JsonObject obj) =>
        (ObjectMeta.Of(obj)["ownerReferences"] as JsonArray)?.OfType<JsonObject>() ?? [];

    private static IEnumerable<OwnerReference> OwnerReferences(JsonObject obj) =>
        OwnerReferenceNodes(obj).Select(o => new OwnerReference(
            o["apiVersion"]?.GetValue<string>() ?? "",
            o["kind"]?.GetValue<string>() ?? "",
            o["name"]?.GetValue<string>() ?? "",
            o["uid"]?.GetValue<string>() ?? ""));

    private sealed record OwnerReference(string ApiVersion, string Kind, string Name, string Uid);
}
