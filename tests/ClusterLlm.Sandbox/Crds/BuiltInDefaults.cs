using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;

namespace ClusterLlm.Sandbox.Crds;

/// <summary>
/// The few built-in defaults and system-set fields clients read back: a namespace's phase and
/// finalizer, a pod's Pending phase, a service's type and cluster IP, and the CRD cleanup finalizer.
/// </summary>
internal sealed class BuiltInDefaults
{
    private readonly Lock _gate = new();
    private int _nextClusterIp = 1;

    public void OnCreate(ResourceType type, JsonObject obj)
    {
        if (type.IsCustom)
        {
            return;
        }

        var metadata = ObjectMeta.Of(obj);
        switch (type.Group, type.Kind)
        {
            case ("", "Namespace"):
                var labels = metadata["labels"] as JsonObject ?? [];
                labels["kubernetes.io/metadata.name"] = metadata["name"]!.GetValue<string>();
                metadata["labels"] = labels;
                obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case ("", "Pod"):
                obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
                var spec = obj["spec"] as JsonObject ?? [];
                spec["restartPolicy"] ??= "Always";
                spec["terminationGracePeriodSeconds"] ??= 30;
                spec["dnsPolicy"] ??= "ClusterFirst";
                spec["schedulerName"] ??= "default-scheduler";
                obj["spec"] = spec;
                break;
            case ("", "Service"):
                DefaultService(obj);
                break;
            case ("apiextensions.k8s.io", "CustomResourceDefinition"):
                var finalizers = metadata["finalizers"] as JsonArray ?? [];
                if (!finalizers.Any(f => f?.GetValue<string>() == CrdController.CleanupFinalizer))
                {
                    finalizers.Add(CrdController.CleanupFinalizer);
                }

                metadata["finalizers"] = finalizers;
                break;
        }
    }

    public void OnUpdate(ResourceType type, JsonObject obj, JsonObject old)
    {
        if (type.Group == "" && type.Kind == "Service" && obj["spec"] is JsonObject spec && old["spec"] is JsonObject oldSpec)
        {
            // clusterIP is immutable once allocated; a client that omits it keeps it.
            spec["clusterIP"] ??= oldSpec["clusterIP"]?.DeepClone();
            spec["clusterIPs"] ??= oldSpec["clusterIPs"]?.DeepClone();
            DefaultService(obj);
        }
    }

    private void DefaultService(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? [];
        obj["spec"] = spec;
        spec["type"] ??= "ClusterIP";
        spec["sessionAffinity"] ??= "None";
        if (spec["type"]!.GetValue<string>() != "ExternalName" && spec["clusterIP"] is null)
        {
            string ip;
            lock (_gate)
            {
                var n = _nextClusterIp++;
                ip = $"10.96.{n / 254 % 256}.{(n % 254) + 1}";
            }

            spec["clusterIP"] = ip;
            spec["clusterIPs"] = new JsonArray(ip);
        }

        foreach (var port in (spec["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            port["protocol"] ??= "TCP";
            port["targetPort"] ??= port["port"]?.DeepClone();
        }
    }
}
