using System.Text.Json.Nodes;

namespace ClusterLlm.Sandbox.Tests.Patching;

public sealed class PatchTests : SandboxFixture
{
    private string DeploymentPath => $"/apis/apps/v1/namespaces/{Namespace}/deployments/web";

    [SetUp]
    public async Task CreateDeploymentAsync() => await CreateAsync($"/apis/apps/v1/namespaces/{Namespace}/deployments", Deployment("web"));

    [Test]
    public async Task StrategicMerge_ContainersAndEnv_MergeByName()
    {
        var patch = JsonNode.Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"2"}]},{"name":"side","image":"busybox"}]}}}}""");

        var (code, patched) = await SendAsync(HttpMethod.Patch, DeploymentPath, patch, "application/strategic-merge-patch+json");

        var containers = patched["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(200));
            Assert.That(containers.Select(c => c!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "app", "side" }));
            Assert.That(containers[0]!["image"]!.GetValue<string>(), Is.EqualTo("nginx:1"));
            Assert.That(containers[0]!["env"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "A", "B" }));
        });
    }

    [Test]
    public async Task StrategicMerge_PatchDeleteDirective_RemovesListElement()
    {
        var patch = JsonNode.Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"A","$patch":"delete"}]}]}}}}""");

        var (_, patched) = await SendAsync(HttpMethod.Patch, DeploymentPath, patch, "application/strategic-merge-patch+json");

        Assert.That(patched["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task MergePatch_List_IsReplacedWhole()
    {
        var patch = JsonNode.Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"x"}]}}}}""");

        var (_, patched) = await SendAsync(HttpMethod.Patch, DeploymentPath, patch, "application/merge-patch+json");

        var container = patched["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;
        Assert.That(container["env"], Is.Null);
    }

    [Test]
    public async Task JsonPatch_TestOperationFails_Returns422AndChangesNothing()
    {
        var patch = JsonNode.Parse("""[{"op":"test","path":"/spec/replicas","value":9},{"op":"replace","path":"/spec/replicas","value":3}]""");

        var (code, _) = await SendAsync(HttpMethod.Patch, DeploymentPath, patch, "application/json-patch+json");
        var (_, current) = await SendAsync(HttpMethod.Get, DeploymentPath);

        Assert.That(code, Is.EqualTo(422));
        Assert.That(current["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task Patch_UnknownContentType_Returns415()
    {
        var (code, _) = await SendAsync(HttpMethod.Patch, DeploymentPath, new JsonObject(), "text/plain");

        Assert.That(code, Is.EqualTo(415));
    }

    [Test]
    public async Task ServerSideApply_TwoManagers_ConflictUnlessForcedAndSharedValuesCoOwn()
    {
        var apply = Deployment("web", replicas: 1);
        var (firstCode, _) = await SendAsync(HttpMethod.Patch, DeploymentPath + "?fieldManager=alice", apply, "application/apply-patch+yaml");
        var (sameCode, shared) = await SendAsync(HttpMethod.Patch, DeploymentPath + "?fieldManager=bob", apply, "application/apply-patch+yaml");
        var changed = Deployment("web", replicas: 3);
        var (conflictCode, conflict) = await SendAsync(HttpMethod.Patch, DeploymentPath + "?fieldManager=bob", changed, "application/apply-patch+yaml");
        var (forcedCode, forced) = await SendAsync(HttpMethod.Patch, DeploymentPath + "?fieldManager=bob&force=true", changed, "application/apply-patch+yaml");

        var managers = forced["metadata"]!["managedFields"]!.AsArray().Select(m => m!["manager"]!.GetValue<string>()).ToList();
        var alice = forced["metadata"]!["managedFields"]!.AsArray().First(m => m!["manager"]!.GetValue<string>() == "alice")!;
        Assert.Multiple(() =>
        {
            Assert.That(firstCode, Is.EqualTo(200));
            Assert.That(sameCode, Is.EqualTo(200), "equal values are co-owned, not a conflict");
            Assert.That(shared["metadata"]!["managedFields"]!.AsArray(), Has.Count.EqualTo(3));
            Assert.That(conflictCode, Is.EqualTo(409));
            Assert.That(conflict["message"]!.GetValue<string>(), Is.EqualTo("Apply failed with 2 conflicts: conflicts with \"alice\":\n- .spec.replicas\nconflicts with \"unknown\" using apps/v1:\n- .spec.replicas"), "the creator's update manager owns the field too");
            Assert.That(conflict["details"]!["causes"]![0]!["reason"]!.GetValue<string>(), Is.EqualTo("FieldManagerConflict"));
            Assert.That(forcedCode, Is.EqualTo(200));
            Assert.That(forced["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(managers, Does.Contain("alice").And.Contain("bob"));
            Assert.That(alice["fieldsV1"]!["f:spec"]!["f:replicas"], Is.Null, "forcing takes the field from the other manager");
        });
    }

    [Test]
    public async Task ServerSideApply_FieldDroppedFromConfiguration_IsRemoved()
    {
        var withLabel = Deployment("web");
        withLabel["metadata"]!["labels"]!["extra"] = "yes";
        await SendAsync(HttpMethod.Patch, DeploymentPath + "?fieldManager=ci", withLabel, "application/apply-patch+yaml");

        var (_, applied) = await SendAsync(HttpMethod.Patch, DeploymentPath + "?fieldManager=ci", Deployment("web"), "application/apply-patch+yaml");

        Assert.That(applied["metadata"]!["labels"]!["extra"], Is.Null);
    }

    [Test]
    public async Task ServerSideApply_MissingObject_CreatesIt()
    {
        var (code, created) = await SendAsync(HttpMethod.Patch, $"/apis/apps/v1/namespaces/{Namespace}/deployments/fresh?fieldManager=ci", Deployment("fresh"), "application/apply-patch+yaml");

        Assert.That(code, Is.EqualTo(201));
        Assert.That(created["metadata"]!["managedFields"]![0]!["operation"]!.GetValue<string>(), Is.EqualTo("Apply"));
    }
}
