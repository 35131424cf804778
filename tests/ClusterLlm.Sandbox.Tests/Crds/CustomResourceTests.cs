using System.Text.Json.Nodes;

namespace ClusterLlm.Sandbox.Tests.Crds;

public sealed class CustomResourceTests : SandboxFixture
{
    private const string Crd = """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"things.crd.test"},
         "spec":{"group":"crd.test","scope":"Namespaced",
           "names":{"kind":"Thing","plural":"things","singular":"thing","listKind":"ThingList"},
           "versions":[
             {"name":"v1","served":true,"storage":true,
              "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas"}},
              "additionalPrinterColumns":[{"name":"Mode","type":"string","jsonPath":".spec.mode"}],
              "schema":{"openAPIV3Schema":{"type":"object","properties":{
                "spec":{"type":"object","properties":{
                  "mode":{"type":"string","default":"fast","enum":["fast","slow"]},
                  "replicas":{"type":"integer","minimum":0,"default":1},
                  "port":{"x-kubernetes-int-or-string":true},
                  "note":{"type":"string","nullable":true,"maxLength":5},
                  "items":{"type":"array","items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}},
                  "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},
                "status":{"type":"object","properties":{"replicas":{"type":"integer"}}}}}}},
             {"name":"v1beta1","served":true,"storage":false,
              "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
        """;

    [SetUp]
    public async Task InstallCrdAsync()
    {
        var (code, _) = await SendAsync(HttpMethod.Get, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.crd.test");
        if (code == 404)
        {
            await CreateAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", (JsonObject)JsonNode.Parse(Crd)!);
            await Server.WaitForControllersAsync();
        }
    }

    [Test]
    public async Task Create_ObjectWithUnknownFields_PrunesThemAndAppliesDefaults()
    {
        var created = await CreateAsync($"/apis/crd.test/v1/namespaces/{Namespace}/things", Thing("a", new JsonObject { ["unknown"] = 1, ["free"] = new JsonObject { ["kept"] = true } }));

        Assert.Multiple(() =>
        {
            Assert.That(created["spec"]!["unknown"], Is.Null);
            Assert.That(created["spec"]!["free"]!["kept"]!.GetValue<bool>(), Is.True);
            Assert.That(created["spec"]!["mode"]!.GetValue<string>(), Is.EqualTo("fast"));
            Assert.That(created["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Create_StrictFieldValidation_RejectsUnknownFieldWith400()
    {
        var (code, body) = await SendAsync(HttpMethod.Post, $"/apis/crd.test/v1/namespaces/{Namespace}/things?fieldValidation=Strict", Thing("s", new JsonObject { ["unknown"] = 1 }));

        Assert.That(code, Is.EqualTo(400));
        Assert.That(body["message"]!.GetValue<string>(), Is.EqualTo("Thing in version \"v1\" cannot be handled as a Thing: strict decoding error: unknown field \"spec.unknown\""));
    }

    [TestCase("{\"port\":80}", true)]
    [TestCase("{\"port\":\"http\"}", true)]
    [TestCase("{\"port\":1.5}", false)]
    [TestCase("{\"note\":null}", true)]
    [TestCase("{\"note\":\"toolong\"}", false)]
    [TestCase("{\"items\":[{\"other\":1}]}", false)]
    [TestCase("{\"replicas\":\"3\"}", false)]
    public async Task Create_SchemaValidation_AcceptsOrRejects(string spec, bool valid)
    {
        var (code, body) = await SendAsync(HttpMethod.Post, $"/apis/crd.test/v1/namespaces/{Namespace}/things", Thing("v", (JsonObject)JsonNode.Parse(spec)!));

        Assert.That(code, Is.EqualTo(valid ? 201 : 422), body.ToJsonString());
    }

    [Test]
    public async Task Create_Invalid_ReportsEveryCauseWithApiServerWording()
    {
        var (code, body) = await SendAsync(HttpMethod.Post, $"/apis/crd.test/v1/namespaces/{Namespace}/things", Thing("bad", (JsonObject)JsonNode.Parse("""{"replicas":-1,"note":"toolong","items":[{}],"port":true}""")!));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(422));
            Assert.That(body["message"]!.GetValue<string>(), Is.EqualTo(
                "Thing.crd.test \"bad\" is invalid: [spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0, " +
                "spec.note: Too long: may not be more than 5 bytes, spec.items[0].name: Required value, " +
                "spec.port: Invalid value: true: spec.port in body must be of type integer,string: boolean]"));
            Assert.That(body["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>()), Is.EqualTo(new[] { "spec.replicas", "spec.note", "spec.items[0].name", "spec.port" }));
        });
    }

    [Test]
    public async Task Put_WithoutResourceVersion_IsRejectedForCustomResources()
    {
        var created = await CreateAsync($"/apis/crd.test/v1/namespaces/{Namespace}/things", Thing("rv", []));
        created["metadata"]!.AsObject().Remove("resourceVersion");

        var (code, body) = await SendAsync(HttpMethod.Put, $"/apis/crd.test/v1/namespaces/{Namespace}/things/rv", created);

        Assert.That(code, Is.EqualTo(422));
        Assert.That(body["message"]!.GetValue<string>(), Does.Contain("metadata.resourceVersion: Invalid value: 0: must be specified for an update"));
    }

    [Test]
    public async Task Subresources_StatusAndScale_WriteOnlyTheirPart()
    {
        await CreateAsync($"/apis/crd.test/v1/namespaces/{Namespace}/things", Thing("sub", []));

        var (_, status) = await SendAsync(HttpMethod.Patch, $"/apis/crd.test/v1/namespaces/{Namespace}/things/sub/status", new JsonObject { ["spec"] = new JsonObject { ["mode"] = "slow" }, ["status"] = new JsonObject { ["replicas"] = 2 } }, "application/merge-patch+json");
        var (_, scale) = await SendAsync(HttpMethod.Patch, $"/apis/crd.test/v1/namespaces/{Namespace}/things/sub/scale", new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 5 } }, "application/merge-patch+json");
        var (_, thing) = await SendAsync(HttpMethod.Get, $"/apis/crd.test/v1/namespaces/{Namespace}/things/sub");

        Assert.Multiple(() =>
        {
            Assert.That(status["spec"]!["mode"]!.GetValue<string>(), Is.EqualTo("fast"));
            Assert.That(scale["kind"]!.GetValue<string>(), Is.EqualTo("Scale"));
            Assert.That(scale["status"]!["replicas"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(thing["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(5));
            Assert.That(thing["metadata"]!["generation"]!.GetValue<int>(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task ServedVersions_SameObjectReadableThroughEach()
    {
        await CreateAsync($"/apis/crd.test/v1/namespaces/{Namespace}/things", Thing("multi", []));

        var (code, beta) = await SendAsync(HttpMethod.Get, $"/apis/crd.test/v1beta1/namespaces/{Namespace}/things/multi");

        Assert.That(code, Is.EqualTo(200));
        Assert.That(beta["apiVersion"]!.GetValue<string>(), Is.EqualTo("crd.test/v1beta1"));
    }

    [Test]
    public async Task Table_PrinterColumns_ComeFromTheCrd()
    {
        await CreateAsync($"/apis/crd.test/v1/namespaces/{Namespace}/things", Thing("tbl", new JsonObject { ["mode"] = "slow" }));

        var (_, table) = await SendAsync(HttpMethod.Get, $"/apis/crd.test/v1/namespaces/{Namespace}/things", accept: "application/json;as=Table;v=v1;g=meta.k8s.io");

        Assert.Multiple(() =>
        {
            Assert.That(table["kind"]!.GetValue<string>(), Is.EqualTo("Table"));
            Assert.That(table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "Name", "Mode" }));
            Assert.That(table["rows"]![0]!["cells"]!.AsArray().Select(c => c!.ToString()), Is.EqualTo(new[] { "tbl", "slow" }));
        });
    }

    [Test]
    public async Task DeleteCrd_RemovesInstancesAndUnservesTheResource()
    {
        var crd = (JsonObject)JsonNode.Parse(Crd.Replace("things", "gizmos", StringComparison.Ordinal).Replace("\"Thing", "\"Gizmo", StringComparison.Ordinal).Replace("thing\"", "gizmo\"", StringComparison.Ordinal))!;
        await CreateAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        await Server.WaitForControllersAsync();
        var gizmo = Thing("g", []);
        gizmo["kind"] = "Gizmo";
        await CreateAsync($"/apis/crd.test/v1/namespaces/{Namespace}/gizmos", gizmo);
        var (_, established) = await SendAsync(HttpMethod.Get, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.crd.test");

        await SendAsync(HttpMethod.Delete, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.crd.test");
        await Server.WaitForControllersAsync();
        var (crdCode, _) = await SendAsync(HttpMethod.Get, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.crd.test");
        var (listCode, _) = await SendAsync(HttpMethod.Get, $"/apis/crd.test/v1/namespaces/{Namespace}/gizmos");
        var (_, discovery) = await SendAsync(HttpMethod.Get, "/apis/crd.test/v1");

        Assert.Multiple(() =>
        {
            Assert.That(established["status"]!["conditions"]!.AsArray().Any(c => c!["type"]!.GetValue<string>() == "Established" && c["status"]!.GetValue<string>() == "True"), Is.True);
            Assert.That(crdCode, Is.EqualTo(404));
            Assert.That(listCode, Is.EqualTo(404));
            Assert.That(discovery["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()), Does.Not.Contain("gizmos"));
        });
    }

    private static JsonObject Thing(string name, JsonObject spec) => new()
    {
        ["apiVersion"] = "crd.test/v1",
        ["kind"] = "Thing",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = spec,
    };
}
