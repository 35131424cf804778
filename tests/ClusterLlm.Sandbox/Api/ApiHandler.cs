using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Discovery;
using ClusterLlm.Sandbox.Logs;
using ClusterLlm.Sandbox.OpenApi;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Selectors;
using ClusterLlm.Sandbox.Storage;
using ClusterLlm.Sandbox.Tables;
using ClusterLlm.Sandbox.Watching;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClusterLlm.Sandbox.Api;

/// <summary>
/// Serves the Kubernetes REST surface: discovery, OpenAPI, and get/list/watch/create/update/patch/
/// delete on every registered resource and its subresources, in JSON or as server-side Tables.
/// </summary>
internal sealed partial class ApiHandler
{
    private readonly ObjectOperations _operations;
    private readonly DiscoveryDocuments _discovery;
    private readonly OpenApiDocuments _openApi;
    private readonly WatchStreamer _watches;
    private readonly PodLogs _logs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ApiHandler(ObjectOperations operations, DiscoveryDocuments discovery, OpenApiDocuments openApi, WatchStreamer watches, PodLogs logs, TimeProvider time, ILogger<ApiHandler> logger)
    {
        _logger = logger;
        _operations = operations;
        _discovery = discovery;
        _openApi = openApi;
        _watches = watches;
        _logs = logs;
        _time = time;
    }

    public async Task HandleAsync(HttpContext context, RequestInfo? info)
    {
        try
        {
            if (info is null)
            {
                await ServeNonResourceAsync(context).ConfigureAwait(false);
                return;
            }

            await ServeResourceAsync(context, info).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            if (!context.Response.HasStarted)
            {
                await Responses.WriteJsonAsync(context, e.Code, e.ToStatus()).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or System.Text.Json.JsonException or KeyNotFoundException or NullReferenceException or IndexOutOfRangeException)
        {
            // A request the emulator cannot handle must still get a Status, never a dropped connection.
            Log.Unhandled(_logger, context.Request.Method, context.Request.Path, e);
            if (!context.Response.HasStarted)
            {
                await Responses.WriteJsonAsync(context, 500, new ApiException(500, "InternalError", "Internal error occurred: " + e.Message).ToStatus()).ConfigureAwait(false);
            }
        }
    }

    private async Task ServeNonResourceAsync(HttpContext context)
    {
        var path = context.Request.Path.Value?.TrimEnd('/') ?? "";
        var accept = context.Request.Headers.Accept.ToString();
        var aggregated = accept.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal) && accept.Contains("v=v2", StringComparison.Ordinal);
        switch (path)
        {
            case "/version":
                await Responses.WriteJsonAsync(context, 200, DiscoveryDocuments.Version()).ConfigureAwait(false);
                return;
            case "/healthz" or "/readyz" or "/livez":
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("ok").ConfigureAwait(false);
                return;
            case "/api" when aggregated:
                await Responses.WriteJsonAsync(context, 200, _discovery.Aggregated(core: true), DiscoveryDocuments.AggregatedContentType).ConfigureAwait(false);
                return;
            case "/apis" when aggregated:
                await Responses.WriteJsonAsync(context, 200, _discovery.Aggregated(core: false), DiscoveryDocuments.AggregatedContentType).ConfigureAwait(false);
                return;
            case "/api":
                await Responses.WriteJsonAsync(context, 200, DiscoveryDocuments.CoreVersions(context.Request.Host.Value ?? "127.0.0.1")).ConfigureAwait(false);
                return;
            case "/apis":
                await Responses.WriteJsonAsync(context, 200, _discovery.GroupList()).ConfigureAwait(false);
                return;
            case "/openapi/v3":
                await Responses.WriteJsonAsync(context, 200, _openApi.Index()).ConfigureAwait(false);
                return;
        }

        if (path.StartsWith("/openapi/v3/", StringComparison.Ordinal) && _openApi.Document(path["/openapi/v3/".Length..]) is { } document)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.Headers.CacheControl = "public, immutable";
            await context.Response.Body.WriteAsync(document, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var parts = path.Trim('/').Split('/');
        JsonObject? body = parts switch
        {
            ["api", var version] when version == "v1" => _discovery.ResourceList("", version),
            ["apis", var group] => _discovery.GroupDocument(group),
            ["apis", var group, var version] => _discovery.ResourceList(group, version),
            _ => null,
        };
        if (body is null)
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        await Responses.WriteJsonAsync(context, 200, body).ConfigureAwait(false);
    }

    private async Task ServeResourceAsync(HttpContext context, RequestInfo info)
    {
        var type = _operations.Registry.Find(info.Group, info.Version, info.Resource)
            ?? throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        if (info.Subresource is not null && !type.Subresources.Contains(info.Subresource))
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        if (type.Namespaced && info.Namespace is null && info.Verb is not "list" and not "watch" and not "deletecollection")
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        var ns = type.Namespaced ? info.Namespace ?? "" : "";
        var query = context.Request.Query;
        var options = Options(context);
        var ct = context.RequestAborted;
        switch (info.Verb)
        {
            case "get" when info.Subresource == "log":
                await ServeLogAsync(context, type, ns, info.Name!).ConfigureAwait(false);
                return;
            case "get" when info.Subresource == "scale":
                await Responses.WriteJsonAsync(context, 200, Scale.ToScale(type, _operations.Get(type, ns, info.Name!))).ConfigureAwait(false);
                return;
            case "get":
                await WriteObjectAsync(context, 200, type, _operations.Get(type, ns, info.Name!)).ConfigureAwait(false);
                return;
            case "list":
                await ListAsync(context, type, info.Namespace).ConfigureAwait(false);
                return;
            case "watch":
                await _watches.ServeAsync(context, type, info.Namespace, info.Name).ConfigureAwait(false);
                return;
            case "create" when info.Subresource == "eviction":
                await EvictAsync(context, type, ns, info.Name!, options).ConfigureAwait(false);
                return;
            case "create":
                var created = await _operations.CreateAsync(type, ns, await ReadObjectAsync(context).ConfigureAwait(false), options, ct).ConfigureAwait(false);
                await WriteObjectAsync(context, 201, type, created).ConfigureAwait(false);
                return;
            case "update" when info.Subresource == "scale":
                await UpdateScaleAsync(context, type, ns, info.Name!, await ReadObjectAsync(context).ConfigureAwait(false), options).ConfigureAwait(false);
                return;
            case "update":
                var updated = await _operations.UpdateAsync(type, ns, info.Name!, info.Subresource, await ReadObjectAsync(context).ConfigureAwait(false), options, ct).ConfigureAwait(false);
                await WriteObjectAsync(context, 200, type, updated).ConfigureAwait(false);
                return;
            case "patch" when info.Subresource == "scale":
                var scale = Scale.ToScale(type, _operations.Get(type, ns, info.Name!));
                var patchedScale = Patching.PatchTypes.Apply(Patching.PatchTypes.FromContentType(context.Request.ContentType), type, scale, await ReadBytesAsync(context).ConfigureAwait(false));
                await UpdateScaleAsync(context, type, ns, info.Name!, patchedScale, options).ConfigureAwait(false);
                return;
            case "patch":
                var existed = _operations.Store.Get(type.GroupResource, ns, info.Name!) is not null;
                var patched = await _operations.PatchAsync(type, ns, info.Name!, info.Subresource, context.Request.ContentType ?? "", await ReadBytesAsync(context).ConfigureAwait(false), options, ct).ConfigureAwait(false);
                await WriteObjectAsync(context, existed ? 200 : 201, type, patched).ConfigureAwait(false);
                return;
            case "delete":
                var deleted = await _operations.DeleteAsync(type, ns, info.Name!, await DeleteOptionsAsync(context).ConfigureAwait(false), options, ct).ConfigureAwait(false);
                await WriteObjectAsync(context, 200, type, deleted).ConfigureAwait(false);
                return;
            case "deletecollection":
                await DeleteCollectionAsync(context, type, info.Namespace, options).ConfigureAwait(false);
                return;
            default:
                throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource");
        }

        RequestOptions Options(HttpContext http)
        {
            var dryRun = query["dryRun"].ToString();
            if (dryRun.Length > 0 && dryRun != "All")
            {
                throw ApiException.Invalid("", "", "", [new StatusCause("FieldValueNotSupported", $"Unsupported value: \"{dryRun}\": supported values: \"All\"", "dryRun")]);
            }

            var agent = http.Request.Headers.UserAgent.ToString();
            var manager = query["fieldManager"].ToString();
            var validation = query["fieldValidation"].ToString();
            return new RequestOptions
            {
                DryRun = dryRun == "All",
                FieldManager = manager.Length > 0 ? manager : agent.Length > 0 ? agent.Split('/')[0] : "unknown",
                Force = query["force"].ToString() == "true",
                FieldValidation = validation.Length > 0 ? validation : "Warn",
                User = http.User.Identity?.Name ?? "system:anonymous",
            };
        }
    }

    private async Task ListAsync(HttpContext context, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type);
        var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) && l > 0 ? l : 0;
        var after = ContinueToken.Parse(query["continue"]);
        var page = fields.Name is { } name
            ? Single(type, ns, name, labels, fields)
            : _operations.Store.List(type.GroupResource, ns, o => labels.Matches(o.Labels) && fields.Matches(o.Object), limit, after);
        var rv = page.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        var token = page.ContinueAfter is null ? null : ContinueToken.Format(page.ResourceVersion, page.ContinueAfter);
        if (Responses.WantsTable(context))
        {
            var table = TableBuilder.Build(type, page.Items, Responses.Include(context), _time.GetUtcNow(), rv, token);
            await Responses.WriteJsonAsync(context, 200, table).ConfigureAwait(false);
            return;
        }

        await Responses.WriteListAsync(context, type, page.Items, rv, token).ConfigureAwait(false);
    }

    private ListPage Single(ResourceType type, string? ns, string name, LabelSelector labels, FieldSelector fields)
    {
        var rv = _operations.Store.CurrentResourceVersion;
        var candidates = type.Namespaced && ns is null
            ? _operations.Store.List(type.GroupResource, null, o => o.Name == name, 0, null).Items
            : _operations.Store.Get(type.GroupResource, ns ?? "", name) is { } found ? [found] : [];
        return new ListPage(candidates.Where(o => labels.Matches(o.Labels) && fields.Matches(o.Object)).ToList(), rv, null, 0);
    }

    private async Task DeleteCollectionAsync(HttpContext context, ResourceType type, string? ns, RequestOptions options)
    {
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(context.Request.Query["fieldSelector"], type);
        var delete = await DeleteOptionsAsync(context).ConfigureAwait(false);
        var page = _operations.Store.List(type.GroupResource, type.Namespaced ? ns : null, o => labels.Matches(o.Labels) && fields.Matches(o.Object), 0, null);
        var deleted = new List<StoredObject>();
        foreach (var obj in page.Items)
        {
            try
            {
                deleted.Add(await _operations.DeleteAsync(type, obj.Namespace, obj.Name, delete, options, context.RequestAborted).ConfigureAwait(false));
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Deleted concurrently: a collection delete only promises that matching objects go.
            }
        }

        await Responses.WriteListAsync(context, type, deleted, _operations.Store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture), null).ConfigureAwait(false);
    }

    private async Task UpdateScaleAsync(HttpContext context, ResourceType type, string ns, string name, JsonObject scale, RequestOptions options)
    {
        var current = _operations.Get(type, ns, name);
        var replicas = scale["spec"]?["replicas"].AsInt64() ?? 0;
        if (replicas < 0)
        {
            throw ApiException.Invalid("Scale", "autoscaling", name, [new StatusCause("FieldValueInvalid", $"Invalid value: {replicas}: must be greater than or equal to 0", "spec.replicas")]);
        }

        var requested = scale["metadata"]?["resourceVersion"]?.GetValue<string>();
        var obj = current.Clone();
        Scale.SetReplicas(type, obj, replicas);
        if (!string.IsNullOrEmpty(requested))
        {
            ObjectMeta.Of(obj)["resourceVersion"] = requested;
        }

        var updated = await _operations.UpdateAsync(type, ns, name, null, obj, options, context.RequestAborted).ConfigureAwait(false);
        await Responses.WriteJsonAsync(context, 200, Scale.ToScale(type, updated)).ConfigureAwait(false);
    }

    /// <summary>An eviction deletes the pod, unless a PodDisruptionBudget selecting it allows no disruption (429).</summary>
    private async Task EvictAsync(HttpContext context, ResourceType type, string ns, string name, RequestOptions options)
    {
        var pod = _operations.Get(type, ns, name);
        var budgets = _operations.Store.List(new GroupResource("policy", "poddisruptionbudgets"), ns, _ => true, 0, null).Items;
        foreach (var budget in budgets)
        {
            if (LabelSelector.FromObject(budget.Object["spec"]?["selector"] as JsonObject).Matches(pod.Labels) &&
                (budget.Object["status"]?["disruptionsAllowed"].AsInt64() ?? 0) <= 0)
            {
                throw new ApiException(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", causes: [new StatusCause("DisruptionBudget", $"The disruption budget {budget.Name} needs {budget.Object["status"]?["desiredHealthy"] ?? 0} healthy pods and has {budget.Object["status"]?["currentHealthy"] ?? 0} currently", null)]);
            }
        }

        await _operations.DeleteAsync(type, ns, name, new DeleteOptions(), options, context.RequestAborted).ConfigureAwait(false);
        await Responses.WriteJsonAsync(context, 201, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 }).ConfigureAwait(false);
    }

    private async Task ServeLogAsync(HttpContext context, ResourceType type, string ns, string name)
    {
        var pod = _operations.Get(type, ns, name);
        var containers = (pod.Object["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>().Select(c => c["name"]?.GetValue<string>() ?? "").ToList() ?? [];
        var container = context.Request.Query["container"].ToString();
        if (container.Length == 0)
        {
            container = containers.Count == 1 ? containers[0]
                : throw ApiException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]");
        }
        else if (!containers.Contains(container))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {name}");
        }

        int? tail = int.TryParse(context.Request.Query["tailLines"], CultureInfo.InvariantCulture, out var t) ? t : null;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        var (text, _) = _logs.Read(ns, name, container, tail);
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
        if (context.Request.Query["follow"].ToString() != "true")
        {
            return;
        }

        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        var offset = _logs.ReadFrom(ns, name, container, int.MaxValue).Offset;
        while (!context.RequestAborted.IsCancellationRequested && _operations.Store.Get(type.GroupResource, ns, name) is not null)
        {
            var (more, next, changed) = _logs.ReadFrom(ns, name, container, offset);
            offset = next;
            if (more.Length > 0)
            {
                await context.Response.WriteAsync(more, context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }

            // Wake on new output, and now and then to notice the pod being deleted.
            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(1), _time, context.RequestAborted)).ConfigureAwait(false);
        }
    }

    private static async Task<DeleteOptions> DeleteOptionsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        string? policy = query["propagationPolicy"].ToString() is { Length: > 0 } p ? p : null;
        string? uid = null;
        string? rv = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var body = JsonNode.Parse(await ReadBytesAsync(context).ConfigureAwait(false)) as JsonObject;
            policy ??= body?["propagationPolicy"]?.GetValue<string>();
            if (body?["orphanDependents"]?.GetValue<bool>() == true)
            {
                policy ??= "Orphan";
            }

            uid = body?["preconditions"]?["uid"]?.GetValue<string>();
            rv = body?["preconditions"]?["resourceVersion"]?.GetValue<string>();
        }

        var propagation = policy switch
        {
            null or "Background" => PropagationPolicy.Background,
            "Foreground" => PropagationPolicy.Foreground,
            "Orphan" => PropagationPolicy.Orphan,
            _ => throw ApiException.Invalid("DeleteOptions", "", "", [new StatusCause("FieldValueNotSupported", $"Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"", "propagationPolicy")]),
        };
        return new DeleteOptions(propagation, uid, rv);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        var bytes = await ReadBytesAsync(context).ConfigureAwait(false);
        var media = context.Request.ContentType?.Split(';')[0].Trim();
        if (media is not null and not "application/json" and not "*/*")
        {
            throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json (the sandbox does not decode protobuf)");
        }

        try
        {
            return JsonNode.Parse(bytes) as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest("the request body could not be decoded: " + e.Message);
        }
    }

    private static async Task<byte[]> ReadBytesAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private async Task WriteObjectAsync(HttpContext context, int status, ResourceType type, StoredObject obj)
    {
        if (Responses.WantsTable(context))
        {
            await Responses.WriteJsonAsync(context, status, TableBuilder.Build(type, [obj], Responses.Include(context), _time.GetUtcNow(), null, null)).ConfigureAwait(false);
            return;
        }

        await Responses.WriteObjectAsync(context, status, type, obj).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Unhandled error serving {Method} {Path}")]
        public static partial void Unhandled(ILogger logger, string method, string? path, Exception exception);
    }
}

/// <summary>The opaque continue token of a paginated list: the resourceVersion and the last key served.</summary>
internal static class ContinueToken
{
    public static string Format(long resourceVersion, string lastKey) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = resourceVersion, ["start"] = lastKey }));

    public static string? Parse(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)))?["start"]?.GetValue<string>()
                ?? throw ApiException.BadRequest("continue key is not valid: missing start key");
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            throw ApiException.BadRequest("continue key is not valid: " + e.Message);
        }
    }
}
