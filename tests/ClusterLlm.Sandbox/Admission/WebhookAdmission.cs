using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Patching;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Selectors;
using ClusterLlm.Sandbox.Storage;

namespace ClusterLlm.Sandbox.Admission;

/// <summary>
/// Dynamic admission: the mutating webhooks, then the validating webhooks, of the stored webhook
/// configurations are called with an AdmissionReview v1 over HTTPS that trusts only the
/// configuration's caBundle. Rules, namespace and object selectors, failurePolicy and
/// timeoutSeconds are honoured; a mutating webhook's JSONPatch is applied to the object.
/// </summary>
internal sealed class WebhookAdmission : IAdmission, IDisposable
{
    private static readonly GroupResource Mutating = new("admissionregistration.k8s.io", "mutatingwebhookconfigurations");
    private static readonly GroupResource Validating = new("admissionregistration.k8s.io", "validatingwebhookconfigurations");
    private static readonly GroupResource Namespaces = new("", "namespaces");

    private readonly ObjectStore _store;
    private readonly Dictionary<string, HttpClient> _clients = [];
    private readonly Lock _gate = new();

    public WebhookAdmission(ObjectStore store) => _store = store;

    public async Task<JsonObject> AdmitAsync(AdmissionAttributes attributes, CancellationToken cancellationToken)
    {
        if (attributes.Options.Internal || IsWebhookConfiguration(attributes.Type))
        {
            // The API server never sends webhook configurations to webhooks, so a broken webhook can always be removed.
            return attributes.Object!;
        }

        var obj = attributes.Object;
        foreach (var webhook in Webhooks(Mutating, attributes))
        {
            var response = await CallAsync(webhook, attributes with { Object = obj }, cancellationToken).ConfigureAwait(false);
            if (response?["patch"]?.GetValue<string>() is { } patch && obj is not null)
            {
                var operations = JsonNode.Parse(Convert.FromBase64String(patch)) as JsonArray
                    ?? throw new ApiException(500, "InternalError", $"Internal error occurred: admission webhook \"{webhook["name"]}\" returned a patch that is not a JSON array");
                obj = JsonPatch.Apply(obj.DeepClone(), operations) as JsonObject;
            }
        }

        foreach (var webhook in Webhooks(Validating, attributes))
        {
            await CallAsync(webhook, attributes with { Object = obj }, cancellationToken).ConfigureAwait(false);
        }

        return obj!;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var client in _clients.Values)
            {
                client.Dispose();
            }

            _clients.Clear();
        }
    }

    private static bool IsWebhookConfiguration(ResourceType type) => type.Group == "admissionregistration.k8s.io";

    private IEnumerable<JsonObject> Webhooks(GroupResource configurations, AdmissionAttributes attributes)
    {
        foreach (var configuration in _store.All(configurations))
        {
            foreach (var webhook in (configuration.Object["webhooks"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (Matches(webhook, attributes))
                {
                    yield return webhook;
                }
            }
        }
    }

    private bool Matches(JsonObject webhook, AdmissionAttributes attributes)
    {
        var type = attributes.Type;
        var resource = attributes.Subresource is null ? type.Resource : $"{type.Resource}/{attributes.Subresource}";
        var ruleMatch = (webhook["rules"] as JsonArray)?.OfType<JsonObject>().Any(rule =>
            Contains(rule["operations"], attributes.Operation) &&
            Contains(rule["apiGroups"], type.Group) &&
            Contains(rule["apiVersions"], type.Version) &&
            ResourceMatches(rule["resources"], type.Resource, resource) &&
            (rule["scope"]?.GetValue<string>() ?? "*") switch
            {
                "Namespaced" => type.Namespaced,
                "Cluster" => !type.Namespaced,
                _ => true,
            }) == true;
        if (!ruleMatch)
        {
            return false;
        }

        var objectLabels = ((attributes.Object ?? attributes.OldObject)?["metadata"] as JsonObject)?["labels"] as JsonObject;
        if (!LabelSelector.FromObject(webhook["objectSelector"] as JsonObject).Matches(objectLabels))
        {
            return false;
        }

        if (webhook["namespaceSelector"] is JsonObject namespaceSelector)
        {
            var namespaceLabels = type.Resource == "namespaces"
                ? objectLabels
                : type.Namespaced ? _store.Get(Namespaces, "", attributes.Namespace)?.Labels : null;
            if (type.Namespaced || type.Resource == "namespaces")
            {
                return LabelSelector.FromObject(namespaceSelector).Matches(namespaceLabels);
            }
        }

        return true;
    }

    private static bool Contains(JsonNode? list, string value) =>
        (list as JsonArray)?.Any(v => v?.GetValue<string>() is "*" || v?.GetValue<string>() == value) == true;

    private static bool ResourceMatches(JsonNode? list, string resource, string withSubresource) =>
        (list as JsonArray)?.Select(v => v?.GetValue<string>()).Any(r =>
            r == "*/*" || r == withSubresource || (r == "*" && resource == withSubresource) || r == resource + "/*" || (r is not null && r.StartsWith("*/", StringComparison.Ordinal) && withSubresource.EndsWith(r[1..], StringComparison.Ordinal))) == true;

    /// <summary>Calls one webhook; returns its response when allowed, throws the client-facing error otherwise.</summary>
    private async Task<JsonObject?> CallAsync(JsonObject webhook, AdmissionAttributes attributes, CancellationToken cancellationToken)
    {
        var name = webhook["name"]?.GetValue<string>() ?? "";
        var failOpen = webhook["failurePolicy"]?.GetValue<string>() == "Ignore";
        var timeout = TimeSpan.FromSeconds(webhook["timeoutSeconds"].AsInt64() ?? 10);
        var uid = Guid.NewGuid().ToString();
        string url;
        try
        {
            url = Url(webhook["clientConfig"] as JsonObject, timeout);
        }
        catch (InvalidOperationException e)
        {
            return failOpen ? null : throw CallFailed(name, e.Message);
        }

        JsonObject? response;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var client = Client(webhook["clientConfig"]?["caBundle"]?.GetValue<string>());
            using var content = new StringContent(Review(attributes, uid).ToJsonString(), Encoding.UTF8, "application/json");
            using var reply = await client.PostAsync(new Uri(url), content, deadline.Token).ConfigureAwait(false);
            if (!reply.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"received {(int)reply.StatusCode} from the webhook");
            }

            var body = JsonNode.Parse(await reply.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false));
            response = body?["response"] as JsonObject ?? throw new HttpRequestException("the webhook response has no \"response\"");
            if (response["uid"]?.GetValue<string>() != uid)
            {
                throw new HttpRequestException($"expected response.uid=\"{uid}\", got \"{response["uid"]}\"");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return failOpen ? null : throw CallFailed(name, $"failed to call webhook: Post \"{url}\": context deadline exceeded");
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            return failOpen ? null : throw CallFailed(name, $"failed to call webhook: Post \"{url}\": {e.Message}");
        }

        if (response["allowed"]?.GetValue<bool>() == true)
        {
            return response;
        }

        var status = response["status"] as JsonObject;
        var message = status?["message"]?.GetValue<string>() ?? "";
        var code = (int)(status?["code"].AsInt64() ?? 403);
        var reason = status?["reason"]?.GetValue<string>() ?? "Forbidden";
        throw new ApiException(code, reason, $"admission webhook \"{name}\" denied the request{(message.Length > 0 ? ": " + message : " without explanation")}");
    }

    private static ApiException CallFailed(string name, string detail) =>
        new(500, "InternalError", $"Internal error occurred: failed calling webhook \"{name}\": {detail}");

    private string Url(JsonObject? clientConfig, TimeSpan timeout)
    {
        var query = $"timeout={(int)timeout.TotalSeconds}s";
        if (clientConfig?["url"]?.GetValue<string>() is { } url)
        {
            return url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
        }

        if (clientConfig?["service"] is JsonObject service)
        {
            // Services route to their endpoints: the first ready address, as kube-proxy would pick one.
            var ns = service["namespace"]?.GetValue<string>() ?? "";
            var serviceName = service["name"]?.GetValue<string>() ?? "";
            var endpoints = _store.Get(new GroupResource("", "endpoints"), ns, serviceName)?.Object;
            var subset = (endpoints?["subsets"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
            var ip = (subset?["addresses"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault()?["ip"]?.GetValue<string>()
                ?? throw new InvalidOperationException($"failed to call webhook: service \"{ns}/{serviceName}\" has no ready endpoints");
            var port = (subset?["ports"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault()?["port"].AsInt64() ?? service["port"].AsInt64() ?? 443;
            return $"https://{ip}:{port}{service["path"]?.GetValue<string>() ?? "/"}?{query}";
        }

        throw new InvalidOperationException("failed to call webhook: clientConfig has neither url nor service");
    }

    private static JsonObject Review(AdmissionAttributes attributes, string uid)
    {
        var type = attributes.Type;
        var kind = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };
        var resource = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["resource"] = type.Resource };
        var request = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = kind,
            ["resource"] = resource,
            ["requestKind"] = kind.DeepClone(),
            ["requestResource"] = resource.DeepClone(),
            ["name"] = attributes.Name,
            ["namespace"] = attributes.Namespace,
            ["operation"] = attributes.Operation,
            ["userInfo"] = new JsonObject { ["username"] = attributes.Options.User },
            ["object"] = attributes.Operation == "DELETE" ? null : attributes.Object?.DeepClone(),
            ["oldObject"] = attributes.OldObject?.DeepClone(),
            ["dryRun"] = attributes.Options.DryRun,
        };
        if (attributes.Subresource is not null)
        {
            request["subResource"] = attributes.Subresource;
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request };
    }

    /// <summary>One client per caBundle, trusting only that bundle, as the API server's webhook client does.</summary>
    private HttpClient Client(string? caBundle)
    {
        var key = caBundle ?? "";
        lock (_gate)
        {
            if (_clients.TryGetValue(key, out var client))
            {
                return client;
            }

            var roots = new X509Certificate2Collection();
            if (caBundle is { Length: > 0 })
            {
                roots.ImportFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(caBundle)));
            }

            var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors, roots),
                },
            };
            client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            _clients[key] = client;
            return client;
        }
    }

    private static bool Trusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || roots.Count == 0 || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
