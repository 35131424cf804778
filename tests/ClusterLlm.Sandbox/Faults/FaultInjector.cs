using System.Text.Json.Nodes;

namespace ClusterLlm.Sandbox.Faults;

/// <summary>A rule that fails the next <see cref="Remaining"/> matching requests with <see cref="StatusCode"/>.</summary>
public sealed record FailureRule(string? PathContains, string? Verb, int StatusCode, int Remaining);

/// <summary>
/// Faults tests inject into the sandbox: failing the next N requests that match a path fragment
/// and verb, and adding latency to requests. Watch endings and restarts live on
/// <see cref="Hosting.SandboxServer"/>, which owns the store and the listener.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly List<FailureRule> _failures = [];
    private TimeSpan _latency;
    private string? _latencyPath;

    /// <summary>Fails the next <paramref name="count"/> requests whose path contains <paramref name="pathContains"/> and whose verb (get, list, watch, create, update, patch, delete) matches, when given.</summary>
    public void FailNext(int count, int statusCode, string? pathContains = null, string? verb = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        lock (_gate)
        {
            _failures.Add(new FailureRule(pathContains, verb, statusCode, count));
        }
    }

    /// <summary>Delays every request (or those whose path contains <paramref name="pathContains"/>) by <paramref name="latency"/>; zero removes it.</summary>
    public void SetLatency(TimeSpan latency, string? pathContains = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        lock (_gate)
        {
            _latency = latency;
            _latencyPath = pathContains;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _failures.Clear();
            _latency = TimeSpan.Zero;
            _latencyPath = null;
        }
    }

    internal TimeSpan LatencyFor(string path)
    {
        lock (_gate)
        {
            return _latencyPath is null || path.Contains(_latencyPath, StringComparison.Ordinal) ? _latency : TimeSpan.Zero;
        }
    }

    /// <summary>Consumes one matching failure, if any, and returns its status code.</summary>
    internal int? TakeFailure(string path, string verb)
    {
        lock (_gate)
        {
            for (var i = 0; i < _failures.Count; i++)
            {
                var rule = _failures[i];
                if ((rule.PathContains is null || path.Contains(rule.PathContains, StringComparison.Ordinal)) && (rule.Verb is null || string.Equals(rule.Verb, verb, StringComparison.OrdinalIgnoreCase)))
                {
                    _failures[i] = rule with { Remaining = rule.Remaining - 1 };
                    if (_failures[i].Remaining == 0)
                    {
                        _failures.RemoveAt(i);
                    }

                    return rule.StatusCode;
                }
            }

            return null;
        }
    }

    internal static JsonObject FailureStatus(int code) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = $"injected fault: the sandbox failed this request with {code}",
        ["reason"] = code switch
        {
            409 => "Conflict",
            410 => "Expired",
            429 => "TooManyRequests",
            500 => "InternalError",
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "Unknown",
        },
        ["code"] = code,
    };
}
