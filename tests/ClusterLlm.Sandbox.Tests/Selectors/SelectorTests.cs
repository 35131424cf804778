using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Selectors;

namespace ClusterLlm.Sandbox.Tests.Selectors;

public sealed class SelectorTests : SandboxFixture
{
    [TestCase("app=web", "a,b")]
    [TestCase("app==web,tier!=db", "a")]
    [TestCase("tier in (db,cache)", "b,c")]
    [TestCase("tier notin (db)", "a,c,d")]
    [TestCase("tier", "a,b,c")]
    [TestCase("!tier", "d")]
    public async Task List_LabelSelector_ReturnsMatchingObjects(string selector, string expected)
    {
        await CreateLabelledAsync("a", ("app", "web"), ("tier", "front"));
        await CreateLabelledAsync("b", ("app", "web"), ("tier", "db"));
        await CreateLabelledAsync("c", ("tier", "cache"));
        await CreateLabelledAsync("d");

        var (_, list) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps?labelSelector={Uri.EscapeDataString(selector)}");

        Assert.That(Names(list), Is.EqualTo(expected));
    }

    [Test]
    public async Task List_FieldSelectorOnNameAndPhase_ReturnsMatchingPods()
    {
        foreach (var name in new[] { "p1", "p2" })
        {
            await CreateAsync($"/api/v1/namespaces/{Namespace}/pods", Pod(name));
        }

        await SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{Namespace}/pods/p2/status", new JsonObject { ["status"] = new JsonObject { ["phase"] = "Running" } }, "application/merge-patch+json");

        var (_, byName) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/pods?fieldSelector=metadata.name%3Dp1");
        var (_, running) = await SendAsync(HttpMethod.Get, $"/api/v1/pods?fieldSelector=status.phase%3DRunning,metadata.namespace%3D{Namespace}");
        var (_, notRunning) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/pods?fieldSelector=status.phase!%3DRunning");

        Assert.Multiple(() =>
        {
            Assert.That(Names(byName), Is.EqualTo("p1"));
            Assert.That(Names(running), Is.EqualTo("p2"));
            Assert.That(Names(notRunning), Is.EqualTo("p1"));
        });
    }

    [Test]
    public async Task List_UnsupportedFieldSelector_Returns400()
    {
        var (code, body) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps?fieldSelector=data.a%3Db");

        Assert.That(code, Is.EqualTo(400));
        Assert.That(body["message"]!.GetValue<string>(), Is.EqualTo("field label not supported: data.a"));
    }

    [Test]
    public async Task List_WithLimit_PagesThroughEveryObjectOnce()
    {
        for (var i = 0; i < 7; i++)
        {
            await CreateLabelledAsync($"cm-{i}");
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var (_, page) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps?limit=3" + (token is null ? "" : "&continue=" + Uri.EscapeDataString(token)));
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
            token = page["metadata"]!["continue"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);

        Assert.That(pages, Is.EqualTo(3));
        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 7).Select(i => $"cm-{i}")));
    }

    [Test]
    public void LabelSelector_FromObject_HonoursMatchLabelsAndExpressions()
    {
        var selector = LabelSelector.FromObject((JsonObject)JsonNode.Parse("""{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"NotIn","values":["db"]}]}""")!);

        Assert.Multiple(() =>
        {
            Assert.That(selector.Matches(new JsonObject { ["app"] = "web", ["tier"] = "front" }), Is.True);
            Assert.That(selector.Matches(new JsonObject { ["app"] = "web", ["tier"] = "db" }), Is.False);
            Assert.That(selector.Matches(new JsonObject { ["tier"] = "front" }), Is.False);
        });
    }

    [Test]
    public void LabelSelector_InvalidKey_IsBadRequest()
    {
        var error = Assert.Throws<ApiException>(() => LabelSelector.Parse("bad key=1"));

        Assert.That(error!.Code, Is.EqualTo(400));
        Assert.That(error.Message, Does.Contain("invalid label key \"bad key\""));
    }

    private async Task CreateLabelledAsync(string name, params (string Key, string Value)[] labels)
    {
        var cm = ConfigMap(name);
        cm["metadata"]!["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", cm);
    }

    private static JsonObject Pod(string name) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "i" }) },
    };

    private static string Names(JsonObject list) =>
        string.Join(",", list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
}
