using System.Text.Json.Nodes;

using k8s;

namespace ClusterLlm.Sandbox.Tests.Faults;

public sealed class FaultTests : SandboxFixture
{
    [Test]
    public async Task FailNext_MatchingVerbAndPath_FailsExactlyThatManyRequests()
    {
        Server.Faults.FailNext(2, 503, pathContains: "/configmaps", verb: "list");

        var first = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps");
        var other = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/secrets");
        var second = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps");
        var third = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps");

        Assert.Multiple(() =>
        {
            Assert.That(first.Code, Is.EqualTo(503));
            Assert.That(first.Body["reason"]!.GetValue<string>(), Is.EqualTo("ServiceUnavailable"));
            Assert.That(other.Code, Is.EqualTo(200));
            Assert.That(second.Code, Is.EqualTo(503));
            Assert.That(third.Code, Is.EqualTo(200));
        });
    }

    [Test]
    public async Task Requests_CountedByVerbResourceAndUserAgent()
    {
        Server.Requests.Reset();
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("c"));
        await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps/c");
        await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps");

        Assert.Multiple(() =>
        {
            Assert.That(Server.Requests.Count("create", "configmaps"), Is.EqualTo(1));
            Assert.That(Server.Requests.Count("get", "configmaps"), Is.EqualTo(1));
            Assert.That(Server.Requests.Count("list", "configmaps"), Is.EqualTo(1));
            Assert.That(Server.Requests.Writes(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Restart_WithoutState_ForgetsObjectsAndCrdsButKeepsSystemNamespaces()
    {
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("c"));
        var rvBefore = long.Parse((await SendAsync(HttpMethod.Get, "/api/v1/namespaces")).Body["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

        await Server.RestartAsync(keepState: false);
        var (nsCode, _) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}");
        var (defaultCode, _) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default");
        var rvAfter = long.Parse((await SendAsync(HttpMethod.Get, "/api/v1/namespaces")).Body["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Multiple(() =>
        {
            Assert.That(nsCode, Is.EqualTo(404));
            Assert.That(defaultCode, Is.EqualTo(200));
            Assert.That(rvAfter, Is.GreaterThan(rvBefore), "resourceVersions never go back, even across a wipe");
        });
    }

    [Test]
    public async Task AdminEndpoint_FailAndCounters_WorkOverHttp()
    {
        var (failCode, _) = await SendAsync(HttpMethod.Post, "/sandbox/faults/fail", new JsonObject { ["count"] = 1, ["status"] = 500, ["verb"] = "get" });
        var (failed, _) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default");
        var (_, counts) = await SendAsync(HttpMethod.Get, "/sandbox/requests");
        var (badCode, bad) = await SendAsync(HttpMethod.Post, "/sandbox/faults/fail", new JsonObject { ["status"] = 500 });

        Assert.Multiple(() =>
        {
            Assert.That(failCode, Is.EqualTo(204));
            Assert.That(failed, Is.EqualTo(500));
            Assert.That(counts["requests"]!.AsArray(), Is.Not.Empty);
            Assert.That(badCode, Is.EqualTo(400));
            Assert.That(bad["message"]!.GetValue<string>(), Is.EqualTo("\"count\" is required"));
        });
    }
}

public sealed class TokenAuthTests : SandboxFixture
{
    protected override ClusterLlm.Sandbox.Hosting.SandboxOptions Options() => new() { Token = "s3cret" };

    [Test]
    public async Task Request_WithoutToken_Gets401AndKubeconfigClientsAreAccepted()
    {
        using var anonymous = new HttpClient { BaseAddress = Server.BaseAddress };
        using var response = await anonymous.GetAsync("/api/v1/namespaces");
        var namespaces = await Client.CoreV1.ListNamespaceAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(401));
        Assert.That(namespaces.Items.Select(n => n.Metadata.Name), Does.Contain("default"));
    }
}
