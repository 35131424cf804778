using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ClusterLlm.Sandbox.Tests.Api;

public sealed class ObjectOperationsTests : SandboxFixture
{
    [Test]
    public async Task Create_NewObject_GetsUidTimestampAndIncreasingResourceVersion()
    {
        var first = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" } }, Namespace);
        var second = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "b" } }, Namespace);

        Assert.Multiple(() =>
        {
            Assert.That(Guid.TryParse(first.Metadata.Uid, out _), Is.True);
            Assert.That(first.Metadata.Uid, Is.Not.EqualTo(second.Metadata.Uid));
            Assert.That(first.Metadata.CreationTimestamp, Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(long.Parse(second.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(long.Parse(first.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public async Task Update_SpecChange_BumpsGenerationButMetadataAndStatusChangesDoNot()
    {
        var deployment = KubernetesJson.Deserialize<V1Deployment>(Deployment("web").ToJsonString());
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, Namespace);
        created.Metadata.Labels["extra"] = "label";
        var relabelled = await Client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "web", Namespace);
        relabelled.Status = new V1DeploymentStatus { Replicas = 1, ObservedGeneration = 1 };
        var statusWritten = await Client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(relabelled, "web", Namespace);
        statusWritten.Spec.Replicas = 3;
        var scaled = await Client.AppsV1.ReplaceNamespacedDeploymentAsync(statusWritten, "web", Namespace);

        Assert.Multiple(() =>
        {
            Assert.That(created.Metadata.Generation, Is.EqualTo(1));
            Assert.That(relabelled.Metadata.Generation, Is.EqualTo(1));
            Assert.That(statusWritten.Metadata.Generation, Is.EqualTo(1));
            Assert.That(scaled.Metadata.Generation, Is.EqualTo(2));
            Assert.That(scaled.Status.ObservedGeneration, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Update_StaleResourceVersion_Returns409ConflictStatus()
    {
        var created = await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("c", ("a", "1")));
        var changed = created.DeepClone().AsObject();
        changed["data"]!["a"] = "2";
        await SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{Namespace}/configmaps/c", changed);

        var (code, body) = await SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{Namespace}/configmaps/c", created);

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(409));
            Assert.That(body["kind"]!.GetValue<string>(), Is.EqualTo("Status"));
            Assert.That(body["reason"]!.GetValue<string>(), Is.EqualTo("Conflict"));
            Assert.That(body["message"]!.GetValue<string>(), Is.EqualTo("Operation cannot be fulfilled on configmaps \"c\": the object has been modified; please apply your changes to the latest version and try again"));
            Assert.That(body["details"]!["name"]!.GetValue<string>(), Is.EqualTo("c"));
        });
    }

    [Test]
    public async Task Create_Existing_ReturnsAlreadyExists()
    {
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("dup"));

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "dup" } }, Namespace));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Conflict));
        var status = JsonNode.Parse(error.Response.Content)!;
        Assert.Multiple(() =>
        {
            Assert.That(status["reason"]!.GetValue<string>(), Is.EqualTo("AlreadyExists"));
            Assert.That(status["message"]!.GetValue<string>(), Is.EqualTo("configmaps \"dup\" already exists"));
        });
    }

    [Test]
    public async Task Get_Missing_ReturnsNotFoundStatusWithGroup()
    {
        var (code, body) = await SendAsync(HttpMethod.Get, $"/apis/apps/v1/namespaces/{Namespace}/deployments/nope");

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(404));
            Assert.That(body["reason"]!.GetValue<string>(), Is.EqualTo("NotFound"));
            Assert.That(body["message"]!.GetValue<string>(), Is.EqualTo("deployments.apps \"nope\" not found"));
            Assert.That(body["details"]!["group"]!.GetValue<string>(), Is.EqualTo("apps"));
            Assert.That(body["code"]!.GetValue<int>(), Is.EqualTo(404));
        });
    }

    [Test]
    public async Task Create_InNamespaceThatDoesNotExist_ReturnsNotFound()
    {
        var (code, body) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/missing/configmaps", ConfigMap("c"));

        Assert.That(code, Is.EqualTo(404));
        Assert.That(body["message"]!.GetValue<string>(), Is.EqualTo("namespaces \"missing\" not found"));
    }

    [Test]
    public async Task Create_InvalidName_Returns422WithFieldPath()
    {
        var (code, body) = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("Bad_Name"));

        Assert.That(code, Is.EqualTo(422));
        Assert.That(body["message"]!.GetValue<string>(), Does.StartWith("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"));
    }

    [Test]
    public async Task StatusSubresource_MainWriteIgnoresStatusAndStatusWriteIgnoresSpec()
    {
        var created = await CreateAsync($"/apis/apps/v1/namespaces/{Namespace}/deployments", Deployment("web"));
        var mainWrite = created.DeepClone().AsObject();
        mainWrite["status"] = new JsonObject { ["replicas"] = 7 };
        var (_, afterMain) = await SendAsync(HttpMethod.Put, $"/apis/apps/v1/namespaces/{Namespace}/deployments/web", mainWrite);
        var statusWrite = afterMain.DeepClone().AsObject();
        statusWrite["spec"]!["replicas"] = 9;
        statusWrite["status"] = new JsonObject { ["replicas"] = 2 };
        var (code, afterStatus) = await SendAsync(HttpMethod.Put, $"/apis/apps/v1/namespaces/{Namespace}/deployments/web/status", statusWrite);

        Assert.Multiple(() =>
        {
            Assert.That(afterMain["status"], Is.Null);
            Assert.That(code, Is.EqualTo(200));
            Assert.That(afterStatus["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(afterStatus["status"]!["replicas"]!.GetValue<int>(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Update_Unchanged_WritesNothing()
    {
        var created = await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("same", ("a", "1")));

        var (code, updated) = await SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{Namespace}/configmaps/same", created);

        Assert.That(code, Is.EqualTo(200));
        Assert.That(updated["metadata"]!["resourceVersion"]!.GetValue<string>(), Is.EqualTo(created["metadata"]!["resourceVersion"]!.GetValue<string>()));
    }

    [Test]
    public async Task DryRun_CreateUpdateDelete_ChangeNothing()
    {
        var (createCode, dryCreated) = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Namespace}/configmaps?dryRun=All", ConfigMap("dry", ("a", "1")));
        var (getCode, _) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps/dry");
        var real = await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("real", ("a", "1")));
        var changed = real.DeepClone().AsObject();
        changed["data"]!["a"] = "2";
        var (_, dryUpdated) = await SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{Namespace}/configmaps/real?dryRun=All", changed);
        await SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/configmaps/real?dryRun=All");
        var (_, after) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps/real");

        Assert.Multiple(() =>
        {
            Assert.That(createCode, Is.EqualTo(201));
            Assert.That(dryCreated["metadata"]!["uid"], Is.Not.Null);
            Assert.That(getCode, Is.EqualTo(404));
            Assert.That(dryUpdated["data"]!["a"]!.GetValue<string>(), Is.EqualTo("2"));
            Assert.That(after["data"]!["a"]!.GetValue<string>(), Is.EqualTo("1"));
            Assert.That(after["metadata"]!["resourceVersion"]!.GetValue<string>(), Is.EqualTo(real["metadata"]!["resourceVersion"]!.GetValue<string>()));
        });
    }

    [Test]
    public async Task Delete_WithFinalizer_SetsDeletionTimestampUntilLastFinalizerIsRemoved()
    {
        var cm = ConfigMap("held");
        cm["metadata"]!["finalizers"] = new JsonArray("example.com/a", "example.com/b");
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", cm);

        var (deleteCode, marked) = await SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/configmaps/held");
        var patch = new JsonArray(new JsonObject { ["op"] = "remove", ["path"] = "/metadata/finalizers/0" });
        var (_, oneLeft) = await SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{Namespace}/configmaps/held", patch, "application/json-patch+json");
        var (_, gone) = await SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{Namespace}/configmaps/held", patch, "application/json-patch+json");
        var (getCode, _) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps/held");

        Assert.Multiple(() =>
        {
            Assert.That(deleteCode, Is.EqualTo(200));
            Assert.That(marked["metadata"]!["deletionTimestamp"], Is.Not.Null);
            Assert.That(oneLeft["metadata"]!["finalizers"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(gone["metadata"]!["finalizers"]!.AsArray(), Is.Empty);
            Assert.That(getCode, Is.EqualTo(404));
        });
    }

    [Test]
    public async Task Update_AddingFinalizerWhileDeleting_IsForbidden()
    {
        var cm = ConfigMap("closing");
        cm["metadata"]!["finalizers"] = new JsonArray("example.com/a");
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", cm);
        await SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/configmaps/closing");

        var (code, body) = await SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{Namespace}/configmaps/closing", new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray("example.com/a", "example.com/b") } }, "application/merge-patch+json");

        Assert.That(code, Is.EqualTo(422));
        Assert.That(body["message"]!.GetValue<string>(), Does.Contain("metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted"));
    }

    [Test]
    public async Task Delete_PreconditionUidMismatch_Returns409()
    {
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("pre"));
        var options = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1", ["preconditions"] = new JsonObject { ["uid"] = "00000000-0000-0000-0000-000000000000" } };

        var (code, body) = await SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/configmaps/pre", options);

        Assert.That(code, Is.EqualTo(409));
        Assert.That(body["message"]!.GetValue<string>(), Does.Contain("Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000"));
    }

    [Test]
    public async Task Scale_PatchOnDeployment_ChangesSpecReplicas()
    {
        await CreateAsync($"/apis/apps/v1/namespaces/{Namespace}/deployments", Deployment("web"));

        var scale = await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":4}}", V1Patch.PatchType.MergePatch), "web", Namespace);
        var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", Namespace);

        Assert.Multiple(() =>
        {
            Assert.That(scale.Spec.Replicas, Is.EqualTo(4));
            Assert.That(deployment.Spec.Replicas, Is.EqualTo(4));
            Assert.That(deployment.Metadata.Generation, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Service_Create_AllocatesClusterIpAndKeepsItOnUpdate()
    {
        var service = new V1Service { Metadata = new V1ObjectMeta { Name = "svc" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }], Selector = new Dictionary<string, string> { ["app"] = "web" } } };
        var created = await Client.CoreV1.CreateNamespacedServiceAsync(service, Namespace);
        service.Metadata.Labels = new Dictionary<string, string> { ["x"] = "y" };
        var updated = await Client.CoreV1.ReplaceNamespacedServiceAsync(service, "svc", Namespace);

        Assert.Multiple(() =>
        {
            Assert.That(created.Spec.ClusterIP, Does.StartWith("10.96."));
            Assert.That(created.Spec.Type, Is.EqualTo("ClusterIP"));
            Assert.That(created.Spec.Ports[0].TargetPort.Value, Is.EqualTo("80"));
            Assert.That(updated.Spec.ClusterIP, Is.EqualTo(created.Spec.ClusterIP));
        });
    }

    [Test]
    public async Task Eviction_PodWithoutBudget_DeletesPod()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] } }, Namespace);

        await Client.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = Namespace } }, "p", Namespace);

        var (code, _) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/pods/p");
        Assert.That(code, Is.EqualTo(404));
    }
}
