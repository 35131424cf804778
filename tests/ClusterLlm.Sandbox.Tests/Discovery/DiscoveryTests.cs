using System.Text.Json.Nodes;

namespace ClusterLlm.Sandbox.Tests.Discovery;

public sealed class DiscoveryTests : SandboxFixture
{
    [Test]
    public async Task Apis_AggregatedAccept_ReturnsApiGroupDiscoveryList()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apis");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
        using var response = await Http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        var apps = body["items"]!.AsArray().Single(i => i!["metadata"]!["name"]!.GetValue<string>() == "apps")!;
        var deployments = apps["versions"]![0]!["resources"]!.AsArray().Single(r => r!["resource"]!.GetValue<string>() == "deployments")!;
        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType!.ToString(), Does.Contain("as=APIGroupDiscoveryList"));
            Assert.That(deployments["scope"]!.GetValue<string>(), Is.EqualTo("Namespaced"));
            Assert.That(deployments["subresources"]!.AsArray().Select(s => s!["subresource"]!.GetValue<string>()), Is.EquivalentTo(new[] { "status", "scale" }));
        });
    }

    [Test]
    public async Task LegacyDiscovery_CoreResources_ListSubresourcesAndShortNames()
    {
        var (_, v1) = await SendAsync(HttpMethod.Get, "/api/v1");
        var (_, groups) = await SendAsync(HttpMethod.Get, "/apis");

        var names = v1["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(names, Does.Contain("pods").And.Contain("pods/status").And.Contain("pods/log").And.Contain("pods/eviction"));
            Assert.That(v1["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "pods")!["shortNames"]![0]!.GetValue<string>(), Is.EqualTo("po"));
            Assert.That(groups["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()), Does.Contain("apps").And.Contain("batch").And.Contain("rbac.authorization.k8s.io"));
        });
    }

    [Test]
    public async Task OpenApiV3_IndexAndDocument_CarrySchemasWithGroupVersionKind()
    {
        var (_, index) = await SendAsync(HttpMethod.Get, "/openapi/v3");
        var url = index["paths"]!["apis/apps/v1"]!["serverRelativeURL"]!.GetValue<string>();
        var (_, document) = await SendAsync(HttpMethod.Get, url);

        var deployment = document["components"]!["schemas"]!["io.k8s.api.apps.v1.Deployment"]!;
        var containers = document["components"]!["schemas"]!["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;
        Assert.Multiple(() =>
        {
            Assert.That(deployment["x-kubernetes-group-version-kind"]![0]!["kind"]!.GetValue<string>(), Is.EqualTo("Deployment"));
            Assert.That(deployment["description"]!.GetValue<string>(), Does.Contain("Deployment enables declarative updates"));
            Assert.That(containers["x-kubernetes-patch-merge-key"]!.GetValue<string>(), Is.EqualTo("name"));
            Assert.That(document["components"]!["schemas"]!["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"], Is.Not.Null);
        });
    }
}
