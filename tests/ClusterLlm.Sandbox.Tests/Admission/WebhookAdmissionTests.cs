using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ClusterLlm.Sandbox.Tests.Admission;

/// <summary>A real HTTPS webhook server, with a CA generated per run, called by the sandbox's admission.</summary>
public sealed class WebhookAdmissionTests : SandboxFixture
{
    private WebApplication _webhook = null!;
    private string _caBundle = "";
    private string _otherCaBundle = "";
    private int _port;

    [OneTimeSetUp]
    public async Task StartWebhookAsync()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=sandbox-test-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(2));
        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(san.Build());
        using var leafPublic = leafRequest.Create(ca, now.AddMinutes(-5), now.AddHours(1), [1, 2, 3, 4]);
        var leaf = X509CertificateLoader.LoadPkcs12(leafPublic.CopyWithPrivateKey(leafKey).Export(X509ContentType.Pkcs12), null);
        _caBundle = Convert.ToBase64String(Encoding.UTF8.GetBytes(ca.ExportCertificatePem()));
        using var otherKey = RSA.Create(2048);
        using var other = new CertificateRequest("CN=unrelated-ca", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        _otherCaBundle = Convert.ToBase64String(Encoding.UTF8.GetBytes(other.ExportCertificatePem()));

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.UseHttps(leaf)));
        _webhook = builder.Build();
        _webhook.MapPost("/validate", async (HttpContext context) => await ReviewAsync(context, request =>
        {
            var name = request["name"]!.GetValue<string>();
            return name.StartsWith("deny", StringComparison.Ordinal)
                ? new JsonObject { ["allowed"] = false, ["status"] = new JsonObject { ["code"] = 403, ["message"] = "spec.data.mode: names starting with deny are refused" } }
                : new JsonObject { ["allowed"] = true };
        }));
        _webhook.MapPost("/mutate", async (HttpContext context) => await ReviewAsync(context, _ =>
        {
            var patch = new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels", ["value"] = new JsonObject { ["mutated"] = "true" } });
            return new JsonObject { ["allowed"] = true, ["patchType"] = "JSONPatch", ["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(patch.ToJsonString())) };
        }));
        _webhook.MapPost("/slow", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            await ReviewAsync(context, _ => new JsonObject { ["allowed"] = true });
        });
        await _webhook.StartAsync();
        _port = new Uri(_webhook.Urls.First()).Port;
    }

    [OneTimeTearDown]
    public async Task StopWebhookAsync()
    {
        await _webhook.StopAsync();
        await _webhook.DisposeAsync();
    }

    [Test]
    public async Task ValidatingWebhook_Denies_ClientSeesWebhookMessage()
    {
        await ConfigureAsync("validatingwebhookconfigurations", "validate", "/validate", _caBundle);

        var (denied, body) = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("deny-me"));
        var (allowed, _) = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("fine"));

        Assert.Multiple(() =>
        {
            Assert.That(denied, Is.EqualTo(403));
            Assert.That(body["message"]!.GetValue<string>(), Is.EqualTo("admission webhook \"validate.sandbox.test\" denied the request: spec.data.mode: names starting with deny are refused"));
            Assert.That(allowed, Is.EqualTo(201));
        });
    }

    [Test]
    public async Task MutatingWebhook_JsonPatch_IsApplied()
    {
        await ConfigureAsync("mutatingwebhookconfigurations", "mutate", "/mutate", _caBundle);

        var created = await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("m"));

        Assert.That(created["metadata"]!["labels"]!["mutated"]!.GetValue<string>(), Is.EqualTo("true"));
    }

    [Test]
    public async Task Webhook_UntrustedCertificate_FailsClosedOrOpenByFailurePolicy()
    {
        await ConfigureAsync("validatingwebhookconfigurations", "closed", "/validate", _otherCaBundle, failurePolicy: "Fail", operations: "CREATE");
        var (closed, body) = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("a"));
        await SendAsync(HttpMethod.Delete, $"/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/closed-{Namespace}");
        await ConfigureAsync("validatingwebhookconfigurations", "open", "/validate", _otherCaBundle, failurePolicy: "Ignore", operations: "CREATE");
        var (open, _) = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("deny-but-ignored"));

        Assert.Multiple(() =>
        {
            Assert.That(closed, Is.EqualTo(500));
            Assert.That(body["message"]!.GetValue<string>(), Does.StartWith("Internal error occurred: failed calling webhook \"closed.sandbox.test\": failed to call webhook: Post \"https://127.0.0.1:"));
            Assert.That(open, Is.EqualTo(201));
        });
    }

    [Test]
    public async Task Webhook_SlowerThanTimeout_FailsWithDeadlineExceeded()
    {
        await ConfigureAsync("validatingwebhookconfigurations", "slow", "/slow", _caBundle, timeoutSeconds: 1);

        var (code, body) = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("s"));

        Assert.That(code, Is.EqualTo(500));
        Assert.That(body["message"]!.GetValue<string>(), Does.EndWith("?timeout=1s\": context deadline exceeded"));
    }

    [Test]
    public async Task Webhook_RuleForOtherOperation_IsNotCalled()
    {
        await ConfigureAsync("validatingwebhookconfigurations", "updates", "/validate", _caBundle, operations: "UPDATE");

        var (code, _) = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("deny-on-create-is-fine"));

        Assert.That(code, Is.EqualTo(201));
    }

    private async Task ConfigureAsync(string resource, string name, string path, string caBundle, string failurePolicy = "Fail", string operations = "*", int timeoutSeconds = 5)
    {
        var kind = resource.StartsWith("mutating", StringComparison.Ordinal) ? "MutatingWebhookConfiguration" : "ValidatingWebhookConfiguration";
        var configuration = new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = $"{name}-{Namespace}" },
            ["webhooks"] = new JsonArray(new JsonObject
            {
                ["name"] = $"{name}.sandbox.test",
                ["clientConfig"] = new JsonObject { ["url"] = $"https://127.0.0.1:{_port}{path}", ["caBundle"] = caBundle },
                ["rules"] = new JsonArray(new JsonObject { ["operations"] = new JsonArray(operations), ["apiGroups"] = new JsonArray(""), ["apiVersions"] = new JsonArray("v1"), ["resources"] = new JsonArray("configmaps") }),
                ["failurePolicy"] = failurePolicy,
                ["timeoutSeconds"] = timeoutSeconds,
                ["sideEffects"] = "None",
                ["admissionReviewVersions"] = new JsonArray("v1"),
                ["namespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["kubernetes.io/metadata.name"] = Namespace } },
            }),
        };
        await CreateAsync($"/apis/admissionregistration.k8s.io/v1/{resource}", configuration);
    }

    private static async Task ReviewAsync(HttpContext context, Func<JsonObject, JsonObject> decide)
    {
        var review = (await JsonNode.ParseAsync(context.Request.Body))!;
        var request = review["request"]!.AsObject();
        var response = decide(request);
        response["uid"] = request["uid"]!.GetValue<string>();
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response }.ToJsonString());
    }
}
