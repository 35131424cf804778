using System.Text.Json.Nodes;

namespace ClusterLlm.Sandbox.Tests.Lifecycle;

public sealed class GarbageCollectorTests : SandboxFixture
{
    [Test]
    public async Task DeleteOwner_Background_DeletesDependentsWithoutOtherOwners()
    {
        var owner = await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("owner"));
        var other = await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("other"));
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", Dependent("only-child", owner));
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", Dependent("shared-child", owner, other));

        await SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/configmaps/owner?propagationPolicy=Background");
        await Server.WaitForControllersAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await ExistsAsync("only-child"), Is.False);
            Assert.That(await ExistsAsync("shared-child"), Is.True);
        });
    }

    [Test]
    public async Task DeleteOwner_Foreground_OwnerStaysUntilDependentsAreGone()
    {
        var owner = await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("owner"));
        var child = Dependent("held-child", owner);
        child["metadata"]!["finalizers"] = new JsonArray("test/hold");
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", child);

        var (_, deleting) = await SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/configmaps/owner?propagationPolicy=Foreground");
        await Server.WaitForControllersAsync();
        var ownerWhileHeld = await ExistsAsync("owner");
        await SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{Namespace}/configmaps/held-child", new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = null } }, "application/merge-patch+json");
        await Server.WaitForControllersAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(deleting["metadata"]!["finalizers"]!.AsArray().Select(f => f!.GetValue<string>()), Does.Contain("foregroundDeletion"));
            Assert.That(ownerWhileHeld, Is.True);
            Assert.That(await ExistsAsync("held-child"), Is.False);
            Assert.That(await ExistsAsync("owner"), Is.False);
        });
    }

    [Test]
    public async Task DeleteOwner_Orphan_KeepsDependentsAndRemovesTheirOwnerReference()
    {
        var owner = await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("owner"));
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", Dependent("orphan", owner));

        await SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/configmaps/owner?propagationPolicy=Orphan");
        await Server.WaitForControllersAsync();
        var (_, orphan) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps/orphan");

        Assert.Multiple(async () =>
        {
            Assert.That(await ExistsAsync("owner"), Is.False);
            Assert.That(orphan["metadata"]!["ownerReferences"]?.AsArray() ?? [], Is.Empty);
        });
    }

    private static JsonObject Dependent(string name, params JsonObject[] owners)
    {
        var cm = ConfigMap(name);
        cm["metadata"]!["ownerReferences"] = new JsonArray(owners.Select(o => (JsonNode)new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["name"] = o["metadata"]!["name"]!.GetValue<string>(),
            ["uid"] = o["metadata"]!["uid"]!.GetValue<string>(),
        }).ToArray());
        return cm;
    }

    private async Task<bool> ExistsAsync(string name) =>
        (await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps/{name}")).Code == 200;
}

public sealed class NamespaceControllerTests : SandboxFixture
{
    [Test]
    public async Task DeleteNamespace_DeletesItsObjects()
    {
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("inside"));

        await SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}");
        await Server.WaitForControllersAsync();
        var (_, all) = await SendAsync(HttpMethod.Get, "/api/v1/configmaps");

        Assert.That(all["items"]!.AsArray().Select(i => i!["metadata"]!["namespace"]!.GetValue<string>()), Does.Not.Contain(Namespace));
    }
}
