using ClusterLlm.Sandbox.Tables;
using k8s.Models;

namespace ClusterLlm.Sandbox.Registry;

/// <summary>The built-in kinds the sandbox serves, described from KubernetesClient's model classes.</summary>
internal static class BuiltInResources
{
    // Declared before All: static initializers run in textual order.
    private static readonly ScaleSpec AppsScale = new(".spec.replicas", ".status.replicas", ".status.selector");
    private static readonly string[] PodFields = ["status.phase", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.podIP", "status.nominatedNodeName"];
    private static readonly string[] EventFields = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"];

    public static IReadOnlyList<ResourceType> All { get; } =
    [
        Core<V1Namespace>("namespaces", false, ["ns"], sub: ["status"], tracksGeneration: false),
        Core<V1Pod>("pods", true, ["po"], ["all"], ["status", "log", "eviction"], PodFields),
        Core<V1Service>("services", true, ["svc"], ["all"], ["status"]),
        Core<V1Endpoints>("endpoints", true, ["ep"], tracksGeneration: false),
        Core<V1ConfigMap>("configmaps", true, ["cm"], tracksGeneration: false),
        Core<V1Secret>("secrets", true, fields: ["type"], tracksGeneration: false),
        Core<V1ServiceAccount>("serviceaccounts", true, ["sa"], tracksGeneration: false),
        Core<V1PersistentVolumeClaim>("persistentvolumeclaims", true, ["pvc"], sub: ["status"]),
        Core<V1PersistentVolume>("persistentvolumes", false, ["pv"], sub: ["status"]),
        Core<V1Node>("nodes", false, ["no"], sub: ["status"], fields: ["spec.unschedulable"]),
        Core<Corev1Event>("events", true, ["ev"], fields: EventFields, tracksGeneration: false),
        Make<Eventsv1Event>("events.k8s.io", "events", true, ["ev"], tracksGeneration: false),
        Make<V1Deployment>("apps", "deployments", true, ["deploy"], ["all"], ["status", "scale"], scale: AppsScale),
        Make<V1ReplicaSet>("apps", "replicasets", true, ["rs"], ["all"], ["status", "scale"], scale: AppsScale),
        Make<V1Job>("batch", "jobs", true, categories: ["all"], sub: ["status"], fields: ["status.successful"]),
        Make<V1PodDisruptionBudget>("policy", "poddisruptionbudgets", true, ["pdb"], sub: ["status"]),
        Make<V1Lease>("coordination.k8s.io", "leases", true, tracksGeneration: false),
        Make<V1CustomResourceDefinition>("apiextensions.k8s.io", "customresourcedefinitions", false, ["crd", "crds"], ["api-extensions"], ["status"]),
        Make<V1ValidatingWebhookConfiguration>("admissionregistration.k8s.io", "validatingwebhookconfigurations", false, categories: ["api-extensions"]),
        Make<V1MutatingWebhookConfiguration>("admissionregistration.k8s.io", "mutatingwebhookconfigurations", false, categories: ["api-extensions"]),
        Make<V1Role>("rbac.authorization.k8s.io", "roles", true, tracksGeneration: false),
        Make<V1RoleBinding>("rbac.authorization.k8s.io", "rolebindings", true, tracksGeneration: false),
        Make<V1ClusterRole>("rbac.authorization.k8s.io", "clusterroles", false, tracksGeneration: false),
        Make<V1ClusterRoleBinding>("rbac.authorization.k8s.io", "clusterrolebindings", false, tracksGeneration: false),
        Make<V2HorizontalPodAutoscaler>("autoscaling", "horizontalpodautoscalers", true, ["hpa"], ["all"], ["status"]),
        Make<V1Ingress>("networking.k8s.io", "ingresses", true, ["ing"], sub: ["status"]),
        Make<V1NetworkPolicy>("networking.k8s.io", "networkpolicies", true, ["netpol"]),
        Make<V1IngressClass>("networking.k8s.io", "ingressclasses", false),
    ];

    /// <summary>The OpenAPI package each built-in group's types live in.</summary>
    public static string SchemaPackage(string group, string version) => group switch
    {
        "" => "io.k8s.api.core." + version,
        "apiextensions.k8s.io" => "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version,
        "rbac.authorization.k8s.io" => "io.k8s.api.rbac." + version,
        _ => $"io.k8s.api.{group.Replace(".k8s.io", "", StringComparison.Ordinal)}.{version}",
    };

    private static ResourceType Core<T>(string resource, bool namespaced, string[]? shortNames = null, string[]? categories = null, string[]? sub = null, string[]? fields = null, bool tracksGeneration = true) =>
        Make<T>("", resource, namespaced, shortNames, categories, sub, fields, tracksGeneration: tracksGeneration);

    private static ResourceType Make<T>(string group, string resource, bool namespaced, string[]? shortNames = null, string[]? categories = null, string[]? sub = null, string[]? fields = null, ScaleSpec? scale = null, bool tracksGeneration = true)
    {
        var entity = (KubernetesEntityAttribute)Attribute.GetCustomAttribute(typeof(T), typeof(KubernetesEntityAttribute))!;
        return new ResourceType
        {
            Group = group,
            Version = entity.ApiVersion,
            Resource = resource,
            Kind = entity.Kind,
            Singular = entity.Kind.ToLowerInvariant(),
            Namespaced = namespaced,
            ShortNames = shortNames ?? [],
            Categories = categories ?? [],
            Subresources = sub ?? [],
            StorageVersion = entity.ApiVersion,
            SchemaName = $"{SchemaPackage(group, entity.ApiVersion)}.{entity.Kind}",
            ModelType = typeof(T),
            SelectableFields = fields ?? [],
            PrinterColumns = BuiltInColumns.For(group, entity.Kind),
            Scale = scale,
            TracksGeneration = tracksGeneration,
        };
    }
}
