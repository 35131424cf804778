using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Crds;
using ClusterLlm.Sandbox.Patching;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Storage;

namespace ClusterLlm.Sandbox.Api;

/// <summary>
/// The write semantics every kind shares, as the API server's generic registry applies them:
/// metadata ownership, generation, status/spec separation, optimistic concurrency, defaulting,
/// validation, admission, finalizers and dry runs. HTTP handlers and internal controllers both
/// write through here, so they see the same rules.
/// </summary>
internal sealed class ObjectOperations
{
    private const int PatchRetries = 5;

    private readonly ObjectStore _store;
    private readonly ResourceRegistry _registry;
    private readonly TimeProvider _time;
    private readonly BuiltInDefaults _defaults;
    private readonly IAdmission _admission;
    private readonly List<ICommitObserver> _observers = [];

    public ObjectOperations(ObjectStore store, ResourceRegistry registry, TimeProvider time, BuiltInDefaults defaults, IAdmission admission)
    {
        _store = store;
        _registry = registry;
        _time = time;
        _defaults = defaults;
        _admission = admission;
    }

    public ObjectStore Store => _store;

    public ResourceRegistry Registry => _registry;

    public void AddObserver(ICommitObserver observer) => _observers.Add(observer);

    public StoredObject Get(ResourceType type, string ns, string name) =>
        _store.Get(type.GroupResource, ns, name) ?? throw ApiException.NotFound(type.Resource, type.Group, name);

    public async Task<StoredObject> CreateAsync(ResourceType type, string ns, JsonObject body, RequestOptions options, CancellationToken cancellationToken, bool applied = false)
    {
        CheckTypeMeta(type, body);
        var obj = (JsonObject)body.DeepClone();
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        var metadata = ObjectMeta.Of(obj);
        CheckNamespace(type, ns, metadata);
        if (type.Namespaced)
        {
            metadata["namespace"] = ns;
        }

        if (string.IsNullOrEmpty(metadata["name"]?.GetValue<string>()) && metadata["generateName"]?.GetValue<string>() is { Length: > 0 } prefix)
        {
            metadata["name"] = ObjectMeta.GenerateName(prefix);
        }

        var name = metadata["name"]?.GetValue<string>() ?? "";
        if (name.Length == 0)
        {
            throw ApiException.Invalid(type.Kind, type.Group, "", [new StatusCause("FieldValueRequired", "Required value: name or generateName is required", "metadata.name")]);
        }

        if (ObjectMeta.ValidateName(name, type.Resource == "namespaces") is { } nameError)
        {
            throw ApiException.Invalid(type.Kind, type.Group, name, [nameError]);
        }

        if (type.Namespaced && _store.Get(new GroupResource("", "namespaces"), "", ns) is null)
        {
            throw ApiException.NotFound("namespaces", "", ns);
        }

        foreach (var field in new[] { "uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink" })
        {
            metadata.Remove(field);
        }

        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = ObjectMeta.Timestamp(_time.GetUtcNow());
        if (type.TracksGeneration)
        {
            metadata["generation"] = 1;
        }
        else
        {
            metadata.Remove("generation");
        }

        if (type.HasStatus)
        {
            obj.Remove("status");
        }

        _defaults.OnCreate(type, obj);
        if (!applied)
        {
            ObjectMeta.Of(obj).Remove("managedFields");
            FieldManager.RecordUpdate(type, null, obj, options.FieldManager, null, _time.GetUtcNow());
        }

        obj = await PrepareAsync(type, "CREATE", null, obj, null, options, cancellationToken).ConfigureAwait(false);
        if (options.DryRun)
        {
            ObjectMeta.Of(obj).Remove("resourceVersion");
            return new StoredObject(obj, 0);
        }

        var stored = _store.Create(type, obj);
        Notify(type, null, stored);
        return stored;
    }

    /// <summary>A PUT: replaces the object (or its status) if the body's resourceVersion, when given, is current.</summary>
    public async Task<StoredObject> UpdateAsync(ResourceType type, string ns, string name, string? subresource, JsonObject body, RequestOptions options, CancellationToken cancellationToken)
    {
        CheckTypeMeta(type, body);
        var bodyName = ObjectMeta.Get(body, "name");
        if (bodyName is not null && bodyName != name)
        {
            throw ApiException.BadRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }

        var requested = ObjectMeta.Get(body, "resourceVersion");
        if (string.IsNullOrEmpty(requested) && type.IsCustom)
        {
            throw ApiException.Invalid(type.Kind, type.Group, name, [new StatusCause("FieldValueInvalid", "Invalid value: 0: must be specified for an update", "metadata.resourceVersion")]);
        }

        var current = Get(type, ns, name);
        if (!string.IsNullOrEmpty(requested) && requested != current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw ApiException.StaleResourceVersion(type.Resource, type.Group, name);
        }

        return await CommitUpdateAsync(type, current, subresource, body, options, FieldOperation.Update, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A PATCH: applies the patch to the current object, retrying on a concurrent write unless the patch pins a resourceVersion.</summary>
    public async Task<StoredObject> PatchAsync(ResourceType type, string ns, string name, string? subresource, string contentType, byte[] patch, RequestOptions options, CancellationToken cancellationToken)
    {
        var kind = PatchTypes.FromContentType(contentType);
        for (var attempt = 0; ; attempt++)
        {
            var current = _store.Get(type.GroupResource, ns, name);
            if (current is null)
            {
                if (kind != PatchKind.Apply)
                {
                    throw ApiException.NotFound(type.Resource, type.Group, name);
                }

                var applied = FieldManager.Apply(type, null, PatchTypes.ParseApply(patch), options.FieldManager, options.Force, _time.GetUtcNow(), subresource);
                ObjectMeta.Of(applied)["name"] = name;
                return await CreateAsync(type, ns, applied, options, cancellationToken, applied: true).ConfigureAwait(false);
            }

            var target = subresource == "status" ? StatusView(current) : current.Clone();
            JsonObject patched;
            FieldOperation operation;
            if (kind == PatchKind.Apply)
            {
                patched = FieldManager.Apply(type, target, PatchTypes.ParseApply(patch), options.FieldManager, options.Force, _time.GetUtcNow(), subresource);
                operation = FieldOperation.AlreadyManaged;
            }
            else
            {
                patched = PatchTypes.Apply(kind, type, target, patch);
                operation = FieldOperation.Update;
            }

            try
            {
                return await CommitUpdateAsync(type, current, subresource, patched, options, operation, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Reason == "Conflict" && attempt < PatchRetries && ObjectMeta.Get(patched, "resourceVersion") == current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) && !PinsResourceVersion(patch))
            {
                // Another write landed between read and commit; a patch re-applies to the new state.
            }
        }
    }

    public async Task<StoredObject> DeleteAsync(ResourceType type, string ns, string name, DeleteOptions delete, RequestOptions options, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = Get(type, ns, name);
            if (delete.PreconditionUid is { } uid && uid != current.Uid)
            {
                throw ApiException.Conflict(type.Resource, type.Group, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid}");
            }

            var rv = current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (delete.PreconditionResourceVersion is { } expected && expected != rv)
            {
                throw ApiException.Conflict(type.Resource, type.Group, name, $"Precondition failed: ResourceVersion in precondition: {expected}, ResourceVersion in object meta: {rv}");
            }

            await _admission.AdmitAsync(new AdmissionAttributes(type, "DELETE", null, ns, name, null, current.Clone(), options), cancellationToken).ConfigureAwait(false);
            var obj = current.Clone();
            var metadata = ObjectMeta.Of(obj);
            var finalizers = metadata["finalizers"] as JsonArray ?? [];
            var dependencyFinalizer = delete.Propagation switch
            {
                PropagationPolicy.Foreground => Finalizers.Foreground,
                PropagationPolicy.Orphan => Finalizers.Orphan,
                _ => null,
            };
            if (dependencyFinalizer is not null && _store.Dependents(current.Uid).Count > 0 && !finalizers.Any(f => f?.GetValue<string>() == dependencyFinalizer))
            {
                finalizers.Add(dependencyFinalizer);
                metadata["finalizers"] = finalizers;
            }

            try
            {
                if (finalizers.Count == 0)
                {
                    if (options.DryRun)
                    {
                        return current;
                    }

                    var deleted = _store.Delete(type, ns, name, current.ResourceVersion);
                    Notify(type, current, null);
                    return deleted;
                }

                // Finalizers hold the object: mark it for deletion and let their owners finish.
                metadata["deletionTimestamp"] ??= ObjectMeta.Timestamp(_time.GetUtcNow());
                metadata["deletionGracePeriodSeconds"] ??= 0;
                if (JsonNode.DeepEquals(obj, current.Object) || options.DryRun)
                {
                    return options.DryRun ? new StoredObject(obj, current.ResourceVersion) : current;
                }

                var marked = _store.Update(type, obj, current.ResourceVersion);
                Notify(type, current, marked);
                return marked;
            }
            catch (ApiException e) when (e.Reason == "Conflict" && attempt < PatchRetries && delete.PreconditionResourceVersion is null)
            {
                // A concurrent write changed the object; deletion re-reads and tries again.
            }
        }
    }

    private async Task<StoredObject> CommitUpdateAsync(ResourceType type, StoredObject current, string? subresource, JsonObject body, RequestOptions options, FieldOperation operation, CancellationToken cancellationToken)
    {
        var obj = Merge(type, current, subresource, body);
        _defaults.OnUpdate(type, obj, current.Object);
        if (operation == FieldOperation.Update)
        {
            FieldManager.RecordUpdate(type, current.Object, obj, options.FieldManager, subresource, _time.GetUtcNow());
        }

        obj = await PrepareAsync(type, "UPDATE", subresource, obj, current.Object, options, cancellationToken).ConfigureAwait(false);
        if (type.TracksGeneration && SpecChanged(current.Object, obj))
        {
            ObjectMeta.Of(obj)["generation"] = (ObjectMeta.Of(current.Object)["generation"].AsInt64() ?? 0) + 1;
        }

        var metadata = ObjectMeta.Of(obj);
        metadata["resourceVersion"] = current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (metadata["deletionTimestamp"] is not null && (metadata["finalizers"] as JsonArray ?? []).Count == 0)
        {
            if (options.DryRun)
            {
                return new StoredObject(obj, current.ResourceVersion);
            }

            // The last finalizer is gone from an object being deleted: it goes now.
            var deleted = _store.Delete(type, current.Namespace, current.Name, current.ResourceVersion, obj);
            Notify(type, current, null);
            return deleted;
        }

        if (FieldManager.EqualIgnoringTimestamps(obj, current.Object))
        {
            // The API server skips no-op writes: no new resourceVersion, no watch event.
            return current;
        }

        if (options.DryRun)
        {
            return new StoredObject(obj, current.ResourceVersion);
        }

        var stored = _store.Update(type, obj, current.ResourceVersion);
        Notify(type, current, stored);
        return stored;
    }

    /// <summary>
    /// Builds the object to store from the request body: system metadata always comes from the
    /// current object; with a status subresource, a main write keeps the current status and a
    /// status write keeps everything but the status.
    /// </summary>
    private static JsonObject Merge(ResourceType type, StoredObject current, string? subresource, JsonObject body)
    {
        JsonObject obj;
        if (subresource == "status")
        {
            obj = current.Clone();
            obj.Remove("status");
            if (body["status"] is { } status)
            {
                obj["status"] = status.DeepClone();
            }

            if (body["metadata"] is JsonObject bodyMeta && bodyMeta["managedFields"] is { } managed)
            {
                ObjectMeta.Of(obj)["managedFields"] = managed.DeepClone();
            }

            return obj;
        }

        obj = (JsonObject)body.DeepClone();
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        var metadata = ObjectMeta.Of(obj);
        var currentMeta = current.Metadata!;
        foreach (var field in new[] { "name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds" })
        {
            metadata.Remove(field);
            if (currentMeta[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
        }

        metadata.Remove("generateName");
        if (currentMeta["generateName"] is { } generateName)
        {
            metadata["generateName"] = generateName.DeepClone();
        }

        if (metadata["deletionTimestamp"] is not null && metadata["finalizers"] is JsonArray added &&
            added.Any(f => !(currentMeta["finalizers"] as JsonArray ?? []).Any(c => c?.GetValue<string>() == f?.GetValue<string>())))
        {
            throw ApiException.Invalid(type.Kind, type.Group, current.Name, [new StatusCause("FieldValueForbidden", "Forbidden: no new finalizers can be added if the object is being deleted", "metadata.finalizers")]);
        }

        if (type.HasStatus)
        {
            obj.Remove("status");
            if (current.Object["status"] is { } status)
            {
                obj["status"] = status.DeepClone();
            }
        }

        return obj;
    }

    /// <summary>The slice of the object a status write patches: the whole object, so patches see real paths.</summary>
    private static JsonObject StatusView(StoredObject current) => current.Clone();

    private async Task<JsonObject> PrepareAsync(ResourceType type, string operation, string? subresource, JsonObject obj, JsonObject? old, RequestOptions options, CancellationToken cancellationToken)
    {
        CustomResourceSchemas.Normalize(type, obj, options);
        var name = ObjectMeta.Get(obj, "name") ?? "";
        var ns = ObjectMeta.Get(obj, "namespace") ?? "";
        var admitted = await _admission.AdmitAsync(new AdmissionAttributes(type, operation, subresource, ns, name, obj, old, options), cancellationToken).ConfigureAwait(false);
        if (!ReferenceEquals(admitted, obj))
        {
            // A mutating webhook changed the object: default, prune and validate its result too.
            CustomResourceSchemas.Normalize(type, admitted, options);
        }

        CustomResourceSchemas.Validate(type, admitted);
        return admitted;
    }

    private static bool SpecChanged(JsonObject before, JsonObject after)
    {
        var keys = before.Select(p => p.Key).Union(after.Select(p => p.Key)).Where(k => k is not "metadata" and not "status" and not "apiVersion" and not "kind");
        return keys.Any(k => !JsonNode.DeepEquals(before[k], after[k]));
    }

    private static bool PinsResourceVersion(byte[] patch) =>
        System.Text.Encoding.UTF8.GetString(patch).Contains("\"resourceVersion\"", StringComparison.Ordinal);

    private static void CheckTypeMeta(ResourceType type, JsonObject body)
    {
        if (body["apiVersion"]?.GetValue<string>() is { Length: > 0 } apiVersion && apiVersion != type.ApiVersion && !(type.Group == "" ? false : apiVersion.StartsWith(type.Group + "/", StringComparison.Ordinal)))
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }

        if (body["kind"]?.GetValue<string>() is { Length: > 0 } kind && kind != type.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
        }
    }

    private static void CheckNamespace(ResourceType type, string ns, JsonObject metadata)
    {
        var bodyNamespace = metadata["namespace"]?.GetValue<string>();
        if (!type.Namespaced)
        {
            metadata.Remove("namespace");
            return;
        }

        if (!string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private void Notify(ResourceType type, StoredObject? before, StoredObject? after)
    {
        foreach (var observer in _observers)
        {
            observer.OnCommitted(type, before, after);
        }
    }
}

/// <summary>The finalizers the garbage collector understands.</summary>
internal static class Finalizers
{
    public const string Foreground = "foregroundDeletion";
    public const string Orphan = "orphan";
}
