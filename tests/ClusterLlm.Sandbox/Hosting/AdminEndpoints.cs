using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Faults;
using ClusterLlm.Sandbox.Logs;
using Microsoft.AspNetCore.Http;

namespace ClusterLlm.Sandbox.Hosting;

/// <summary>
/// The executable's control surface for tests in other processes, under <c>/sandbox/</c>:
/// <list type="bullet">
/// <item><c>POST /sandbox/faults/end-watches</c></item>
/// <item><c>POST /sandbox/faults/fail</c> with <c>{"count":N,"status":503,"path":"...","verb":"list"}</c></item>
/// <item><c>POST /sandbox/faults/latency</c> with <c>{"milliseconds":200,"path":"..."}</c>; <c>DELETE /sandbox/faults</c> clears all</item>
/// <item><c>POST /sandbox/restart</c> with <c>{"keepState":true}</c></item>
/// <item><c>GET</c>/<c>DELETE /sandbox/requests</c>: request counters by verb, resource and user agent</item>
/// <item><c>POST /sandbox/logs/{namespace}/{pod}/{container}</c>: append the body to a container's log</item>
/// </list>
/// </summary>
internal sealed class AdminEndpoints
{
    public const string Prefix = "/sandbox/";

    private readonly FaultInjector _faults;
    private readonly RequestCounters _counters;
    private readonly PodLogs _logs;
    private readonly Func<bool, Task> _restart;
    private readonly Action _endWatches;

    public AdminEndpoints(FaultInjector faults, RequestCounters counters, PodLogs logs, Func<bool, Task> restart, Action endWatches)
    {
        _faults = faults;
        _counters = counters;
        _logs = logs;
        _restart = restart;
        _endWatches = endWatches;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value![Prefix.Length..].TrimEnd('/');
        var method = context.Request.Method;
        try
        {
            switch (method, path)
            {
                case ("POST", "faults/end-watches"):
                    _endWatches();
                    break;
                case ("POST", "faults/fail"):
                    var fail = await BodyAsync(context).ConfigureAwait(false);
                    _faults.FailNext(Int(fail, "count"), Int(fail, "status"), fail["path"]?.GetValue<string>(), fail["verb"]?.GetValue<string>());
                    break;
                case ("POST", "faults/latency"):
                    var latency = await BodyAsync(context).ConfigureAwait(false);
                    _faults.SetLatency(TimeSpan.FromMilliseconds(Int(latency, "milliseconds")), latency["path"]?.GetValue<string>());
                    break;
                case ("DELETE", "faults"):
                    _faults.Clear();
                    break;
                case ("POST", "restart"):
                    var restart = await BodyAsync(context).ConfigureAwait(false);
                    var keep = restart["keepState"]?.GetValue<bool>() ?? true;
                    await Responses.WriteJsonAsync(context, 202, new JsonObject { ["restarting"] = true, ["keepState"] = keep }).ConfigureAwait(false);
                    await context.Response.CompleteAsync().ConfigureAwait(false);
                    _ = Task.Run(() => _restart(keep));
                    return;
                case ("GET", "requests"):
                    var counts = new JsonArray(_counters.Snapshot().Select(c => (JsonNode)new JsonObject { ["verb"] = c.Verb, ["resource"] = c.Resource, ["userAgent"] = c.UserAgent, ["count"] = c.Count }).ToArray());
                    await Responses.WriteJsonAsync(context, 200, new JsonObject { ["requests"] = counts }).ConfigureAwait(false);
                    return;
                case ("DELETE", "requests"):
                    _counters.Reset();
                    break;
                case ("POST", _) when path.StartsWith("logs/", StringComparison.Ordinal) && path.Split('/') is [_, var ns, var pod, var container]:
                    using (var reader = new StreamReader(context.Request.Body))
                    {
                        _logs.Append(ns, pod, container, await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false));
                    }

                    break;
                default:
                    throw new ApiException(404, "NotFound", $"no sandbox admin endpoint {method} {Prefix}{path}");
            }

            context.Response.StatusCode = 204;
        }
        catch (ArgumentException e)
        {
            await Responses.WriteJsonAsync(context, 400, ApiException.BadRequest(e.Message).ToStatus()).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await Responses.WriteJsonAsync(context, e.Code, e.ToStatus()).ConfigureAwait(false);
        }
    }

    private static async Task<JsonObject> BodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(buffer.ToArray()) as JsonObject ?? throw ApiException.BadRequest("the admin request body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest("the admin request body must be a JSON object: " + e.Message);
        }
    }

    private static int Int(JsonObject body, string field) =>
        (int?)body[field].AsInt64() ?? throw ApiException.BadRequest($"\"{field}\" is required");
}
