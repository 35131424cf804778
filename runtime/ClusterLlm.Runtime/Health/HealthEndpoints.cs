using ClusterLlm.Runtime.Scheduling;
using ClusterLlm.Runtime.Serving;
using ClusterLlm.Runtime.Serving.Protocol;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Health;

/// <summary>
/// The probes. Each reads volatile engine state (status, snapshot) and never waits on the engine
/// thread, so a busy or wedged loop cannot stall them.
/// </summary>
internal sealed class HealthEndpoints(IInferenceEngine engine, ServingState serving, IOptions<HealthOptions> options, TimeProvider time)
{
    /// <summary>llama-server's <c>/health</c>: 503 "Loading model" until ready, then 200 <c>{"status":"ok"}</c>.</summary>
    public Task HealthAsync(HttpContext http)
    {
        var status = engine.Status;
        if (status == EngineStatus.Ready && !serving.IsDraining)
        {
            return StatusAsync(http, "ok");
        }
        return WriteUnavailableAsync(http, status switch
        {
            EngineStatus.Loading => "Loading model",
            EngineStatus.Failed => "Model failed to load",
            _ => "Draining",
        });
    }

    /// <summary>Alive while loading, and afterwards while the decode loop keeps beating.</summary>
    public Task LiveAsync(HttpContext http)
    {
        var status = engine.Status;
        if (status == EngineStatus.Loading)
        {
            return StatusAsync(http, "loading");
        }
        if (status == EngineStatus.Failed)
        {
            return WriteUnavailableAsync(http, "Model failed to load");
        }
        var age = time.GetUtcNow() - engine.Snapshot.LastHeartbeat;
        return age <= options.Value.HeartbeatTimeout
            ? StatusAsync(http, "ok")
            : WriteUnavailableAsync(http, $"The engine loop has not reported for {age.TotalSeconds:F0} s");
    }

    /// <summary>Ready once the model is loaded and warmed up; not ready from the moment a drain begins.</summary>
    public Task ReadyAsync(HttpContext http)
    {
        if (serving.IsDraining)
        {
            return WriteUnavailableAsync(http, "Draining");
        }
        return engine.Status switch
        {
            EngineStatus.Ready => StatusAsync(http, "ok"),
            EngineStatus.Loading => WriteUnavailableAsync(http, "Loading model"),
            EngineStatus.Failed => WriteUnavailableAsync(http, "Model failed to load"),
            _ => WriteUnavailableAsync(http, "Draining"),
        };
    }

    private static Task StatusAsync(HttpContext http, string status)
        => JsonResponses.WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", status);
            json.WriteEndObject();
        });

    private static async Task WriteUnavailableAsync(HttpContext http, string message)
    {
        await JsonResponses.WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", "unavailable_error");
            json.WriteNumber("code", StatusCodes.Status503ServiceUnavailable);
            json.WriteEndObject();
            json.WriteEndObject();
        }, StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
    }
}
