using System.Security.Claims;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Faults;
using Microsoft.AspNetCore.Http;

namespace ClusterLlm.Sandbox.Hosting;

/// <summary>
/// What every request passes through before its handler, in the API server's order: authentication
/// (bearer token), request counting, injected latency and failures, then the admin endpoints or the
/// Kubernetes API.
/// </summary>
internal sealed class RequestPipeline
{
    private readonly ApiHandler _api;
    private readonly AdminEndpoints _admin;
    private readonly FaultInjector _faults;
    private readonly RequestCounters _counters;
    private readonly SandboxOptions _options;

    public RequestPipeline(ApiHandler api, AdminEndpoints admin, FaultInjector faults, RequestCounters counters, SandboxOptions options)
    {
        _api = api;
        _admin = admin;
        _faults = faults;
        _counters = counters;
        _options = options;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (!Authenticate(context))
        {
            await Responses.WriteJsonAsync(context, 401, new ApiException(401, "Unauthorized", "Unauthorized").ToStatus()).ConfigureAwait(false);
            return;
        }

        var path = context.Request.Path.Value ?? "/";
        if (_options.AdminEndpoints && path.StartsWith(AdminEndpoints.Prefix, StringComparison.Ordinal))
        {
            await _admin.HandleAsync(context).ConfigureAwait(false);
            return;
        }

        var watch = context.Request.Query["watch"].ToString() is "true" or "1";
        var info = RequestInfo.Parse(context.Request.Method, path, watch);
        var verb = info?.Verb ?? context.Request.Method.ToLowerInvariant();
        var resource = info is null ? path : info.Subresource is null ? info.Resource : $"{info.Resource}/{info.Subresource}";
        _counters.Record(verb, resource, context.Request.Headers.UserAgent.ToString());

        var latency = _faults.LatencyFor(path);
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, context.RequestAborted).ConfigureAwait(false);
        }

        if (_faults.TakeFailure(path, verb) is { } code)
        {
            if (code == 429)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            await Responses.WriteJsonAsync(context, code, FaultInjector.FailureStatus(code)).ConfigureAwait(false);
            return;
        }

        await _api.HandleAsync(context, info).ConfigureAwait(false);
    }

    private bool Authenticate(HttpContext context)
    {
        if (_options.Token is null)
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "system:anonymous")], "none"));
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (header != "Bearer " + _options.Token)
        {
            return false;
        }

        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "sandbox-admin")], "Bearer"));
        return true;
    }
}
