using System.Text.Json.Nodes;

namespace ClusterLlm.Sandbox.Tests.Kubectl;

/// <summary>The real kubectl 1.35 against the sandbox, for the flows platform engineers use daily.</summary>
public sealed class KubectlTests : SandboxFixture
{
    private const string DeploymentYaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: REPLICAS
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: app
                image: nginx:1
                env:
                - {name: A, value: "1"}
        """;

    private const string CrdYaml = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: gadgets.kubectl.test
        spec:
          group: kubectl.test
          names: {kind: Gadget, listKind: GadgetList, plural: gadgets, singular: gadget, shortNames: [gd]}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            additionalPrinterColumns:
            - {name: Size, type: string, jsonPath: .spec.size}
            - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    description: What the gadget should be.
                    required: [size]
                    properties:
                      size: {type: string, enum: [small, large], description: How big the gadget is.}
                      replicas: {type: integer, minimum: 0}
                  status:
                    type: object
                    properties:
                      conditions:
                        type: array
                        items: {type: object, properties: {type: {type: string}, status: {type: string}}}
        """;

    [Test]
    public async Task Apply_ClientSideThenChanged_CreatesThenConfiguresWithGenerationBump()
    {
        var created = await KubectlAsync("apply -f -", DeploymentYaml.Replace("REPLICAS", "2", StringComparison.Ordinal));
        var unchanged = await KubectlAsync("apply -f -", DeploymentYaml.Replace("REPLICAS", "2", StringComparison.Ordinal));
        var configured = await KubectlAsync("apply -f -", DeploymentYaml.Replace("REPLICAS", "3", StringComparison.Ordinal));
        var json = await KubectlAsync("get deploy web -o json");

        var deployment = JsonNode.Parse(json.Stdout)!;
        Assert.Multiple(() =>
        {
            Assert.That(created.Stdout, Does.Contain("deployment.apps/web created"), created.ToString());
            Assert.That(unchanged.Stdout, Does.Contain("deployment.apps/web unchanged"), unchanged.ToString());
            Assert.That(configured.Stdout, Does.Contain("deployment.apps/web configured"), configured.ToString());
            Assert.That(deployment["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(deployment["metadata"]!["generation"]!.GetValue<int>(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Apply_ServerSide_ConflictsWithClientSideManagerUntilForced()
    {
        await KubectlAsync("apply -f -", DeploymentYaml.Replace("REPLICAS", "2", StringComparison.Ordinal));

        var conflict = await KubectlAsync("apply --server-side -f -", DeploymentYaml.Replace("REPLICAS", "5", StringComparison.Ordinal));
        var forced = await KubectlAsync("apply --server-side --force-conflicts -f -", DeploymentYaml.Replace("REPLICAS", "5", StringComparison.Ordinal));
        var managers = await KubectlAsync("get deploy web -o jsonpath={.metadata.managedFields[*].manager} --show-managed-fields");

        Assert.Multiple(() =>
        {
            Assert.That(conflict.ExitCode, Is.Not.Zero);
            Assert.That(conflict.Stderr, Does.Contain("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas"));
            Assert.That(forced.Stdout, Does.Contain("serverside-applied"), forced.ToString());
            Assert.That(managers.Stdout, Does.Contain("kubectl"));
        });
    }

    [Test]
    public async Task Get_WideAndYaml_ShowPrinterColumnsAndObject()
    {
        await KubectlAsync("apply -f -", DeploymentYaml.Replace("REPLICAS", "2", StringComparison.Ordinal));

        var table = await KubectlAsync("get deploy");
        var wide = await KubectlAsync("get deploy -o wide");
        var yaml = await KubectlAsync("get deploy web -o yaml");

        Assert.Multiple(() =>
        {
            Assert.That(table.Stdout, Does.Match(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE"));
            Assert.That(table.Stdout, Does.Match(@"web\s+0/2\s+0\s+0\s+\d+s"));
            Assert.That(wide.Stdout, Does.Match(@"CONTAINERS\s+IMAGES\s+SELECTOR"));
            Assert.That(wide.Stdout, Does.Match(@"app\s+nginx:1\s+app=web"));
            Assert.That(yaml.Stdout, Does.Contain("kind: Deployment").And.Contain("replicas: 2"));
        });
    }

    [Test]
    public async Task DescribePatchDelete_Deployment_Work()
    {
        await KubectlAsync("apply -f -", DeploymentYaml.Replace("REPLICAS", "1", StringComparison.Ordinal));

        var describe = await KubectlAsync("describe deploy web");
        var strategic = await KubectlAsync("patch deploy web -p '{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:2\"}]}}}}'");
        var jsonPatch = await KubectlAsync("patch deploy web --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]'");
        var after = JsonNode.Parse((await KubectlAsync("get deploy web -o json")).Stdout)!;
        var delete = await KubectlAsync("delete deploy web");
        var gone = await KubectlAsync("get deploy web");

        Assert.Multiple(() =>
        {
            Assert.That(describe.Stdout, Does.Contain("Name:").And.Contain("web").And.Contain("Image:").And.Contain("nginx:1"), describe.ToString());
            Assert.That(strategic.Stdout, Does.Contain("deployment.apps/web patched"), strategic.ToString());
            Assert.That(jsonPatch.Stdout, Does.Contain("patched"), jsonPatch.ToString());
            Assert.That(after["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>(), Is.EqualTo("nginx:2"));
            Assert.That(after["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray(), Has.Count.EqualTo(1), "strategic merge keeps the env of the merged container");
            Assert.That(after["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(4));
            Assert.That(delete.Stdout, Does.Contain("deployment.apps \"web\" deleted"), delete.ToString());
            Assert.That(gone.Stderr, Does.Contain("deployments.apps \"web\" not found"));
        });
    }

    [Test]
    public async Task Logs_PodWithAppendedOutput_PrintsIt()
    {
        await KubectlAsync("apply -f -", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: busybox}]\n");
        Server.Logs.Append(Namespace, "p", "c", "line one\nline two\n");

        var all = await KubectlAsync("logs p");
        var tail = await KubectlAsync("logs p --tail=1");

        Assert.Multiple(() =>
        {
            Assert.That(all.Stdout, Is.EqualTo("line one\nline two\n"), all.ToString());
            Assert.That(tail.Stdout, Is.EqualTo("line two\n"), tail.ToString());
        });
    }

    [Test]
    public async Task Crd_ExplainGetWaitAndInvalidObject_BehaveAsOnARealServer()
    {
        var crd = await KubectlAsync("apply -f -", CrdYaml);
        var created = await KubectlAsync("apply -f -", "apiVersion: kubectl.test/v1\nkind: Gadget\nmetadata: {name: g1}\nspec: {size: small}\n");
        var explain = await KubectlAsync("explain gadget.spec");
        var invalid = await KubectlAsync("apply -f -", "apiVersion: kubectl.test/v1\nkind: Gadget\nmetadata: {name: bad}\nspec: {size: huge, replicas: -1}\n");
        var wait = KubectlAsync("wait --for=condition=Ready gadget/g1 --timeout=20s");
        await Task.Delay(500);
        var status = await KubectlAsync("patch gadget g1 --subresource=status --type=merge -p '{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}'");
        var waited = await wait;
        var table = await KubectlAsync("get gd");

        Assert.Multiple(() =>
        {
            Assert.That(crd.Stdout, Does.Contain("created"), crd.ToString());
            Assert.That(created.Stdout, Does.Contain("gadget.kubectl.test/g1 created"), created.ToString());
            Assert.That(explain.Stdout, Does.Contain("How big the gadget is.").And.Contain("enum: small, large"), explain.ToString());
            Assert.That(invalid.ExitCode, Is.Not.Zero);
            Assert.That(invalid.Stderr, Does.Contain("The Gadget \"bad\" is invalid:"), invalid.ToString());
            Assert.That(invalid.Stderr, Does.Contain("spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"));
            Assert.That(invalid.Stderr, Does.Contain("spec.size: Unsupported value: \"huge\": supported values: \"small\", \"large\""));
            Assert.That(status.Stdout, Does.Contain("patched"), status.ToString());
            Assert.That(waited.Stdout, Does.Contain("gadget.kubectl.test/g1 condition met"), waited.ToString());
            Assert.That(table.Stdout, Does.Match(@"NAME\s+SIZE\s+READY"));
            Assert.That(table.Stdout, Does.Match(@"g1\s+small\s+True"));
        });
    }

    [Test]
    public async Task GetWatch_ReceivesUpdates()
    {
        await KubectlAsync("apply -f -", DeploymentYaml.Replace("REPLICAS", "1", StringComparison.Ordinal));
        var watch = KubectlAsync("get deploy -w --request-timeout=4s", timeoutSeconds: 6);
        await Task.Delay(1500);

        await KubectlAsync("scale deploy web --replicas=3");
        var result = await watch;

        Assert.That(result.Stdout, Does.Match(@"web\s+0/1").And.Match(@"web\s+0/3"), result.ToString());
    }
}
