using ClusterLlm.Runtime.Metrics;
using ClusterLlm.Runtime.Scheduling;
using ClusterLlm.Runtime.Serving.Protocol;

namespace ClusterLlm.Runtime.Serving;

/// <summary>
/// In front of the API (never the probes or <c>/metrics</c>): bearer authentication when keys are
/// configured, then admission, which answers 503 with <c>Retry-After</c> while the model loads or the
/// replica drains.
/// </summary>
internal sealed class ServingMiddleware(RequestDelegate next, ApiKeyStore keys, IInferenceEngine engine, ServingState serving, RuntimeMetrics metrics)
{
    private static readonly string[] OpenPaths = ["/health", "/livez", "/readyz", "/metrics"];

    public Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path;
        foreach (var open in OpenPaths)
        {
            if (path.Equals(open, StringComparison.OrdinalIgnoreCase))
            {
                return next(http);
            }
        }
        if (keys.Enabled && !IsAuthorized(http.Request))
        {
            return RefuseAsync(http, ApiError.InvalidApiKey);
        }
        var refusal = serving.IsDraining
            ? ApiError.Draining
            : engine.Status switch
            {
                EngineStatus.Ready => null,
                EngineStatus.Loading => ApiError.Loading,
                EngineStatus.Failed => ApiError.LoadFailed,
                _ => ApiError.Draining,
            };
        return refusal is null ? next(http) : RefuseAsync(http, refusal);
    }

    private Task RefuseAsync(HttpContext http, ApiError error)
    {
        metrics.RecordOutcome(error.Status, "none");
        return ErrorResponses.WriteAsync(http, error);
    }

    private bool IsAuthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization;
        if (header.Count != 1)
        {
            return false;
        }
        var value = header[0].AsSpan();
        const string scheme = "Bearer ";
        return value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && keys.IsValid(value[scheme.Length..].Trim());
    }
}
