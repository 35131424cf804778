using System.Text.Json.Nodes;
using static ClusterLlm.Sandbox.Tables.Cells;

namespace ClusterLlm.Sandbox.Tables;

/// <summary>The columns the API server's built-in printers give the kinds kubectl users look at most.</summary>
internal static class BuiltInColumns
{
    private const string NameDescription = "Name must be unique within a namespace.";
    private const string AgeDescription = "CreationTimestamp is a timestamp representing the server time when this object was created.";

    public static PrinterColumn Name { get; } = new("Name", "string", 0, NameDescription, (o, _) => Str(o, "metadata.name")) { Format = "name" };

    public static PrinterColumn Age { get; } = new("Age", "string", 0, AgeDescription, (o, now) => Cells.Age(o, now));

    /// <summary>The default table convertor's columns, for kinds without a printer.</summary>
    public static IReadOnlyList<PrinterColumn> Default { get; } =
    [
        Name,
        new("Created At", "date", 0, AgeDescription, (o, _) => Str(o, "metadata.creationTimestamp")),
    ];

    public static IReadOnlyList<PrinterColumn> For(string group, string kind) => (group, kind) switch
    {
        ("", "Pod") => Pods(),
        ("", "Namespace") => [Name, Col("Status", (o, _) => Str(o, "status.phase", "")), Age],
        ("", "Service") => Services(),
        ("", "Endpoints") => [Name, Col("Endpoints", (o, _) => Endpoints(o)), Age],
        ("", "ConfigMap") => [Name, Col("Data", (o, _) => Count(o, "data") + Count(o, "binaryData"), "integer"), Age],
        ("", "Secret") => [Name, Col("Type", (o, _) => Str(o, "type", "")), Col("Data", (o, _) => Count(o, "data"), "integer"), Age],
        ("", "ServiceAccount") => [Name, Col("Secrets", (o, _) => Count(o, "secrets"), "integer"), Age],
        ("", "PersistentVolumeClaim") => Claims(),
        ("", "PersistentVolume") => Volumes(),
        ("", "Node") => Nodes(),
        ("", "Event") => Events(),
        ("apps", "Deployment") => Deployments(),
        ("apps", "ReplicaSet") => ReplicaSets(),
        ("batch", "Job") => Jobs(),
        ("policy", "PodDisruptionBudget") =>
        [
            Name,
            Col("Min Available", (o, _) => Str(o, "spec.minAvailable", "N/A")),
            Col("Max Unavailable", (o, _) => Str(o, "spec.maxUnavailable", "N/A")),
            Col("Allowed Disruptions", (o, _) => Int(o, "status.disruptionsAllowed"), "integer"),
            Age,
        ],
        ("coordination.k8s.io", "Lease") => [Name, Col("Holder", (o, _) => Str(o, "spec.holderIdentity", "")), Age],
        _ => Default,
    };

    private static PrinterColumn Col(string name, Func<JsonObject, DateTimeOffset, JsonNode?> value, string type = "string", int priority = 0) =>
        new(name, type, priority, name, value);

    private static PrinterColumn Col(string name, Func<JsonObject, DateTimeOffset, string> value, string type = "string", int priority = 0) =>
        new(name, type, priority, name, (o, now) => value(o, now));

    private static PrinterColumn Col(string name, Func<JsonObject, DateTimeOffset, long> value, string type, int priority = 0) =>
        new(name, type, priority, name, (o, now) => value(o, now));

    private static PrinterColumn Wide(string name, Func<JsonObject, DateTimeOffset, string> value) => Col(name, value, "string", 1);

    private static PrinterColumn[] Pods() =>
    [
        Name,
        Col("Ready", (o, _) => $"{Items(o, "status.containerStatuses").Count(c => c["ready"]?.GetValue<bool>() == true)}/{Count(o, "spec.containers")}"),
        Col("Status", (o, _) => PodStatus(o)),
        Col("Restarts", (o, _) => Items(o, "status.containerStatuses").Sum(c => Int(c, "restartCount")), "integer"),
        Age,
        Wide("IP", (o, _) => Str(o, "status.podIP")),
        Wide("Node", (o, _) => Str(o, "spec.nodeName")),
        Wide("Nominated Node", (o, _) => Str(o, "status.nominatedNodeName")),
        Wide("Readiness Gates", (o, _) => Count(o, "spec.readinessGates") == 0 ? "<none>" : Count(o, "spec.readinessGates").ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    /// <summary>The pod STATUS cell: Terminating, a container's waiting/terminated reason, else the phase.</summary>
    private static string PodStatus(JsonObject pod)
    {
        if (At(pod, "metadata.deletionTimestamp") is not null)
        {
            return "Terminating";
        }

        var reason = Str(pod, "status.reason", "");
        foreach (var status in Items(pod, "status.containerStatuses"))
        {
            var waiting = Str(status, "state.waiting.reason", "");
            var terminated = Str(status, "state.terminated.reason", "");
            if (waiting.Length > 0)
            {
                return waiting;
            }

            if (terminated.Length > 0)
            {
                reason = terminated;
            }
        }

        return reason.Length > 0 ? reason : Str(pod, "status.phase", "Pending");
    }

    private static PrinterColumn[] Services() =>
    [
        Name,
        Col("Type", (o, _) => Str(o, "spec.type", "ClusterIP")),
        Col("Cluster-IP", (o, _) => Str(o, "spec.clusterIP")),
        Col("External-IP", (o, _) => Join(Items(o, "status.loadBalancer.ingress").Select(i => Str(i, "ip", "")).Concat((At(o, "spec.externalIPs") as JsonArray)?.Select(v => v!.GetValue<string>()) ?? []))),
        Col("Port(s)", (o, _) => Join(Items(o, "spec.ports").Select(p => $"{Int(p, "port")}{(At(p, "nodePort") is null ? "" : ":" + Int(p, "nodePort"))}/{Str(p, "protocol", "TCP")}"))),
        Age,
        Wide("Selector", (o, _) => Labels(At(o, "spec.selector") as JsonObject)),
    ];

    private static string Endpoints(JsonObject o)
    {
        var addresses = Items(o, "subsets").SelectMany(s => Items(s, "addresses").SelectMany(a => Items(s, "ports").DefaultIfEmpty(null!).Select(p => p is null ? Str(a, "ip") : $"{Str(a, "ip")}:{Int(p, "port")}"))).ToList();
        return addresses.Count == 0 ? "<none>" : string.Join(",", addresses.Take(3)) + (addresses.Count > 3 ? $" + {addresses.Count - 3} more..." : "");
    }

    private static PrinterColumn[] Claims() =>
    [
        Name,
        Col("Status", (o, _) => Str(o, "status.phase", "")),
        Col("Volume", (o, _) => Str(o, "spec.volumeName", "")),
        Col("Capacity", (o, _) => Str(o, "status.capacity.storage", "")),
        Col("Access Modes", (o, _) => AccessModes(At(o, "status.accessModes"))),
        Col("StorageClass", (o, _) => Str(o, "spec.storageClassName", "<unset>")),
        Col("VolumeAttributesClass", (o, _) => Str(o, "spec.volumeAttributesClassName", "<unset>")),
        Age,
        Wide("VolumeMode", (o, _) => Str(o, "spec.volumeMode", "Filesystem")),
    ];

    private static PrinterColumn[] Volumes() =>
    [
        Name,
        Col("Capacity", (o, _) => Str(o, "spec.capacity.storage", "")),
        Col("Access Modes", (o, _) => AccessModes(At(o, "spec.accessModes"))),
        Col("Reclaim Policy", (o, _) => Str(o, "spec.persistentVolumeReclaimPolicy", "")),
        Col("Status", (o, _) => Str(o, "status.phase", "")),
        Col("Claim", (o, _) => At(o, "spec.claimRef") is null ? "" : $"{Str(o, "spec.claimRef.namespace", "")}/{Str(o, "spec.claimRef.name", "")}"),
        Col("StorageClass", (o, _) => Str(o, "spec.storageClassName", "")),
        Col("VolumeAttributesClass", (o, _) => Str(o, "spec.volumeAttributesClassName", "<unset>")),
        Col("Reason", (o, _) => Str(o, "status.reason", "")),
        Age,
    ];

    private static string AccessModes(JsonNode? modes) =>
        string.Join(",", (modes as JsonArray)?.Select(m => m!.GetValue<string>() switch
        {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            var other => other,
        }) ?? []);

    private static PrinterColumn[] Nodes() =>
    [
        Name,
        Col("Status", (o, _) => NodeStatus(o)),
        Col("Roles", (o, _) => Join(((At(o, "metadata.labels") as JsonObject)?.Select(l => l.Key) ?? []).Where(k => k.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal)).Select(k => k["node-role.kubernetes.io/".Length..]))),
        Age,
        Col("Version", (o, _) => Str(o, "status.nodeInfo.kubeletVersion", "")),
        Wide("Internal-IP", (o, _) => Address(o, "InternalIP")),
        Wide("External-IP", (o, _) => Address(o, "ExternalIP")),
        Wide("OS-Image", (o, _) => Str(o, "status.nodeInfo.osImage", "<unknown>")),
        Wide("Kernel-Version", (o, _) => Str(o, "status.nodeInfo.kernelVersion", "<unknown>")),
        Wide("Container-Runtime", (o, _) => Str(o, "status.nodeInfo.containerRuntimeVersion", "<unknown>")),
    ];

    private static string NodeStatus(JsonObject node)
    {
        var ready = Items(node, "status.conditions").FirstOrDefault(c => Str(c, "type", "") == "Ready");
        var status = ready is null ? "Unknown" : Str(ready, "status", "") == "True" ? "Ready" : "NotReady";
        return At(node, "spec.unschedulable")?.GetValue<bool>() == true ? status + ",SchedulingDisabled" : status;
    }

    private static string Address(JsonObject node, string type) =>
        Items(node, "status.addresses").Where(a => Str(a, "type", "") == type).Select(a => Str(a, "address", "")).FirstOrDefault() ?? "<none>";

    private static PrinterColumn[] Events() =>
    [
        Col("Last Seen", (o, now) => Since(Time(o, "lastTimestamp") ?? Time(o, "eventTime") ?? Time(o, "metadata.creationTimestamp"), now)),
        Col("Type", (o, _) => Str(o, "type", "")),
        Col("Reason", (o, _) => Str(o, "reason", "")),
        Col("Object", (o, _) => $"{Str(o, "involvedObject.kind", "").ToLowerInvariant()}/{Str(o, "involvedObject.name", "")}"),
        Col("Message", (o, _) => Str(o, "message", "").Trim()),
        Wide("Subobject", (o, _) => Str(o, "involvedObject.fieldPath", "")),
        Wide("Source", (o, _) => Str(o, "source.component", "")),
        Wide("First Seen", (o, now) => Since(Time(o, "firstTimestamp") ?? Time(o, "eventTime"), now)),
        Wide("Count", (o, _) => Int(o, "count").ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Col("Name", (o, _) => Str(o, "metadata.name"), "string", 1),
    ];

    private static PrinterColumn[] WorkloadWide() =>
    [
        Wide("Containers", (o, _) => Join(Items(o, "spec.template.spec.containers").Select(c => Str(c, "name", "")))),
        Wide("Images", (o, _) => Join(Items(o, "spec.template.spec.containers").Select(c => Str(c, "image", "")))),
        Wide("Selector", (o, _) => Selector(At(o, "spec.selector") as JsonObject)),
    ];

    private static PrinterColumn[] Deployments() =>
    [
        Name,
        Col("Ready", (o, _) => $"{Int(o, "status.readyReplicas")}/{Int(o, "spec.replicas")}"),
        Col("Up-to-date", (o, _) => Int(o, "status.updatedReplicas"), "integer"),
        Col("Available", (o, _) => Int(o, "status.availableReplicas"), "integer"),
        Age,
        .. WorkloadWide(),
    ];

    private static PrinterColumn[] ReplicaSets() =>
    [
        Name,
        Col("Desired", (o, _) => Int(o, "spec.replicas"), "integer"),
        Col("Current", (o, _) => Int(o, "status.replicas"), "integer"),
        Col("Ready", (o, _) => Int(o, "status.readyReplicas"), "integer"),
        Age,
        .. WorkloadWide(),
    ];

    private static PrinterColumn[] Jobs() =>
    [
        Name,
        Col("Status", (o, _) => JobStatus(o)),
        Col("Completions", (o, _) => $"{Int(o, "status.succeeded")}/{(At(o, "spec.completions") is null ? 1 : Int(o, "spec.completions"))}"),
        Col("Duration", (o, now) => Time(o, "status.startTime") is { } start ? HumanDuration((Time(o, "status.completionTime") ?? now) - start) : ""),
        Age,
        .. WorkloadWide(),
    ];

    private static string JobStatus(JsonObject job)
    {
        foreach (var condition in Items(job, "status.conditions"))
        {
            if (Str(condition, "status", "") == "True" && Str(condition, "type", "") is "Complete" or "Failed" or "Suspended")
            {
                return Str(condition, "type", "");
            }
        }

        return "Running";
    }

    private static string Labels(JsonObject? labels) =>
        labels is null || labels.Count == 0 ? "<none>" : string.Join(",", labels.Select(l => $"{l.Key}={l.Value}"));

    private static string Selector(JsonObject? selector)
    {
        if (selector is null)
        {
            return "<none>";
        }

        var terms = (selector["matchLabels"] as JsonObject)?.Select(l => $"{l.Key}={l.Value}").ToList() ?? [];
        foreach (var expression in Items(selector, "matchExpressions"))
        {
            var values = string.Join(",", (expression["values"] as JsonArray)?.Select(v => v!.GetValue<string>()) ?? []);
            terms.Add(Str(expression, "operator", "") switch
            {
                "In" => $"{Str(expression, "key", "")} in ({values})",
                "NotIn" => $"{Str(expression, "key", "")} notin ({values})",
                "Exists" => Str(expression, "key", ""),
                _ => "!" + Str(expression, "key", ""),
            });
        }

        return terms.Count == 0 ? "<none>" : string.Join(",", terms);
    }
}
