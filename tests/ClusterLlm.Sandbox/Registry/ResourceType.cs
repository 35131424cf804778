using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Tables;

namespace ClusterLlm.Sandbox.Registry;

/// <summary>Where a resource's scale subresource reads and writes replicas (the CRD <c>scale</c> block).</summary>
internal sealed record ScaleSpec(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath);

/// <summary>The group and plural name that identify a resource's storage, shared by all of its versions.</summary>
internal readonly record struct GroupResource(string Group, string Resource)
{
    public override string ToString() => string.IsNullOrEmpty(Group) ? Resource : $"{Resource}.{Group}";
}

/// <summary>
/// One served group/version/resource: what discovery lists, what the router accepts and what the
/// store, tables and validation need to know about it.
/// </summary>
internal sealed record ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    /// <summary>The plural, lower-case name used in URLs.</summary>
    public required string Resource { get; init; }

    public required string Kind { get; init; }

    public required string Singular { get; init; }

    public required bool Namespaced { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Subresources beyond the object itself: <c>status</c>, <c>scale</c>, <c>log</c>, <c>eviction</c>.</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];

    /// <summary>The version objects are stored in; other served versions only rewrite <c>apiVersion</c>.</summary>
    public required string StorageVersion { get; init; }

    /// <summary>The OpenAPI component name of the kind, e.g. <c>io.k8s.api.apps.v1.Deployment</c>.</summary>
    public required string SchemaName { get; init; }

    /// <summary>The KubernetesClient model class a built-in kind is generated from.</summary>
    public Type? ModelType { get; init; }

    /// <summary>A CRD version's <c>openAPIV3Schema</c>; null for built-ins.</summary>
    public JsonObject? CrdSchema { get; init; }

    /// <summary>Field selector labels accepted beyond <c>metadata.name</c> and <c>metadata.namespace</c>.</summary>
    public IReadOnlyList<string> SelectableFields { get; init; } = [];

    public IReadOnlyList<PrinterColumn> PrinterColumns { get; init; } = [];

    public ScaleSpec? Scale { get; init; }

    /// <summary>Whether a write changes <c>metadata.generation</c> (kinds with a spec, and CRDs).</summary>
    public bool TracksGeneration { get; init; } = true;

    public string ApiVersion => string.IsNullOrEmpty(Group) ? Version : $"{Group}/{Version}";

    public string GroupVersion => ApiVersion;

    public GroupResource GroupResource => new(Group, Resource);

    public string ListKind => Kind + "List";

    public bool HasStatus => Subresources.Contains("status");

    public bool IsCustom => CrdSchema is not null;
}
