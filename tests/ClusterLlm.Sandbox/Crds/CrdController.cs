using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Lifecycle;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Storage;
using ClusterLlm.Sandbox.Tables;

namespace ClusterLlm.Sandbox.Crds;

/// <summary>
/// The apiextensions controllers: a committed CRD registers its served versions at once (so a
/// client may create instances right after the CRD), then gets its Established and NamesAccepted
/// conditions; a deleted CRD has its instances removed before its cleanup finalizer is lifted.
/// </summary>
internal sealed class CrdController : ICommitObserver
{
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    private static readonly RequestOptions Options = RequestOptions.System("apiextensions-controller");
    private readonly ObjectOperations _operations;
    private readonly BackgroundWork _work;
    private readonly TimeProvider _time;

    public CrdController(ObjectOperations operations, BackgroundWork work, TimeProvider time)
    {
        _operations = operations;
        _work = work;
        _time = time;
    }

    public static bool IsCrd(ResourceType type) => type.Group == "apiextensions.k8s.io" && type.Resource == "customresourcedefinitions";

    public void OnCommitted(ResourceType type, StoredObject? before, StoredObject? after)
    {
        if (!IsCrd(type))
        {
            return;
        }

        if (after is null)
        {
            Unregister(before!.Object);
            return;
        }

        _operations.Registry.Register(TypesOf(after.Object));
        if (after.Metadata?["deletionTimestamp"] is not null)
        {
            _work.Enqueue(ct => CleanUpAsync(type, after.Name, ct));
        }
        else if (!IsEstablished(after.Object))
        {
            _work.Enqueue(ct => EstablishAsync(type, after.Name, ct));
        }
    }

    /// <summary>Registers every stored CRD again, after a restart that kept state.</summary>
    public void RegisterStored(ResourceType crdType)
    {
        foreach (var crd in _operations.Store.All(crdType.GroupResource))
        {
            _operations.Registry.Register(TypesOf(crd.Object));
        }
    }

    /// <summary>The served resource types a CRD defines, one per served version.</summary>
    public static IReadOnlyList<ResourceType> TypesOf(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? [];
        var group = spec["group"]?.GetValue<string>() ?? "";
        var names = spec["names"] as JsonObject ?? [];
        var kind = names["kind"]?.GetValue<string>() ?? "";
        var versions = (spec["versions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var storage = versions.FirstOrDefault(v => v["storage"]?.GetValue<bool>() == true)?["name"]?.GetValue<string>() ?? versions.FirstOrDefault()?["name"]?.GetValue<string>() ?? "";
        var reversedGroup = string.Join(".", group.Split('.').Reverse());
        return versions
            .Where(v => v["served"]?.GetValue<bool>() != false)
            .Select(v =>
            {
                var version = v["name"]!.GetValue<string>();
                var subresources = v["subresources"] as JsonObject;
                var scale = subresources?["scale"] as JsonObject;
                return new ResourceType
                {
                    Group = group,
                    Version = version,
                    Resource = names["plural"]?.GetValue<string>() ?? "",
                    Kind = kind,
                    Singular = names["singular"]?.GetValue<string>() ?? kind.ToLowerInvariant(),
                    Namespaced = spec["scope"]?.GetValue<string>() != "Cluster",
                    ShortNames = Strings(names["shortNames"]),
                    Categories = Strings(names["categories"]),
                    Subresources = [.. subresources?["status"] is not null ? ["status"] : Array.Empty<string>(), .. scale is not null ? ["scale"] : Array.Empty<string>()],
                    StorageVersion = storage,
                    SchemaName = $"{reversedGroup}.{version}.{kind}",
                    CrdSchema = (v["schema"]?["openAPIV3Schema"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
                    SelectableFields = (v["selectableFields"] as JsonArray)?.OfType<JsonObject>().Select(f => f["jsonPath"]!.GetValue<string>().TrimStart('.')).ToList() ?? [],
                    PrinterColumns = Columns(v["additionalPrinterColumns"] as JsonArray),
                    Scale = scale is null ? null : new ScaleSpec(
                        scale["specReplicasPath"]?.GetValue<string>() ?? ".spec.replicas",
                        scale["statusReplicasPath"]?.GetValue<string>() ?? ".status.replicas",
                        scale["labelSelectorPath"]?.GetValue<string>()),
                };
            })
            .ToList();
    }

    private static List<PrinterColumn> Columns(JsonArray? columns)
    {
        if (columns is null || columns.Count == 0)
        {
            return [BuiltInColumns.Name, new PrinterColumn("Age", "date", 0, "CreationTimestamp is a timestamp representing the server time when this object was created.", (o, now) => Cells.Age(o, now))];
        }

        var result = new List<PrinterColumn> { BuiltInColumns.Name };
        foreach (var column in columns.OfType<JsonObject>())
        {
            var jsonPath = column["jsonPath"]?.GetValue<string>() ?? "";
            var type = column["type"]?.GetValue<string>() ?? "string";
            result.Add(new PrinterColumn(
                column["name"]?.GetValue<string>() ?? "",
                type,
                (int)(column["priority"].AsInt64() ?? 0),
                column["description"]?.GetValue<string>() ?? "",
                (o, now) =>
                {
                    var value = JsonPathCell.Evaluate(o, jsonPath);
                    return type == "date" && value is JsonValue v && v.TryGetValue<string>(out var text)
                        ? Cells.Since(Cells.Time(new JsonObject { ["t"] = text }, "t"), now)
                        : value;
                })
            { Format = column["format"]?.GetValue<string>() ?? "" });
        }

        return result;
    }

    private static List<string> Strings(JsonNode? node) => (node as JsonArray)?.Select(n => n!.GetValue<string>()).ToList() ?? [];

    private static bool IsEstablished(JsonObject crd) =>
        (crd["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().Any(c => c["type"]?.GetValue<string>() == "Established" && c["status"]?.GetValue<string>() == "True") == true;

    private void Unregister(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject;
        var group = spec?["group"]?.GetValue<string>() ?? "";
        var plural = spec?["names"]?["plural"]?.GetValue<string>() ?? "";
        _operations.Registry.Unregister(new GroupResource(group, plural));
    }

    private async Task EstablishAsync(ResourceType crdType, string name, CancellationToken cancellationToken)
    {
        var current = _operations.Store.Get(crdType.GroupResource, "", name);
        if (current is null || IsEstablished(current.Object))
        {
            return;
        }

        var now = ObjectMeta.Timestamp(_time.GetUtcNow());
        var obj = current.Clone();
        var spec = obj["spec"] as JsonObject ?? [];
        var names = (spec["names"] as JsonObject ?? []).DeepClone() as JsonObject ?? [];
        names["singular"] ??= names["kind"]?.GetValue<string>().ToLowerInvariant();
        names["listKind"] ??= names["kind"]?.GetValue<string>() + "List";
        obj["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now)),
            ["acceptedNames"] = names,
            ["storedVersions"] = new JsonArray((spec["versions"] as JsonArray)?.OfType<JsonObject>().Where(v => v["storage"]?.GetValue<bool>() == true).Select(v => (JsonNode?)v["name"]!.DeepClone()).ToArray() ?? []),
        };
        await _operations.UpdateAsync(crdType, "", name, "status", obj, Options, cancellationToken).ConfigureAwait(false);
    }

    private async Task CleanUpAsync(ResourceType crdType, string name, CancellationToken cancellationToken)
    {
        var current = _operations.Store.Get(crdType.GroupResource, "", name);
        if (current is null)
        {
            return;
        }

        foreach (var type in TypesOf(current.Object).Where(t => t.Version == t.StorageVersion))
        {
            foreach (var instance in _operations.Store.All(type.GroupResource))
            {
                await _operations.DeleteAsync(type, instance.Namespace, instance.Name, new DeleteOptions(), Options, cancellationToken).ConfigureAwait(false);
            }
        }

        var obj = current.Clone();
        var finalizers = ObjectMeta.Of(obj)["finalizers"] as JsonArray ?? [];
        ObjectMeta.Of(obj)["finalizers"] = new JsonArray(finalizers.Where(f => f?.GetValue<string>() != CleanupFinalizer).Select(f => f?.DeepClone()).ToArray());
        await _operations.UpdateAsync(crdType, "", name, null, obj, Options, cancellationToken).ConfigureAwait(false);
    }

    private static JsonObject Condition(string type, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };
}
