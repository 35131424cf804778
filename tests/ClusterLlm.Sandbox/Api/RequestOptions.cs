namespace ClusterLlm.Sandbox.Api;

/// <summary>The query options of a write, as the API server reads them.</summary>
internal sealed record RequestOptions
{
    public bool DryRun { get; init; }

    /// <summary>The field manager; defaults to the user agent's program name, as the API server does.</summary>
    public string FieldManager { get; init; } = "unknown";

    public bool Force { get; init; }

    /// <summary><c>Strict</c>, <c>Warn</c> or <c>Ignore</c>: what unknown or duplicate fields in a body do.</summary>
    public string FieldValidation { get; init; } = "Warn";

    public string User { get; init; } = "system:anonymous";

    /// <summary>Internal writes (garbage collector, CRD controller) skip admission webhooks' user-facing checks.</summary>
    public bool Internal { get; init; }

    public static RequestOptions System(string manager) => new() { FieldManager = manager, User = "system:serviceaccount:kube-system:" + manager, Internal = true };
}

/// <summary>How a delete treats the object's dependents.</summary>
internal enum PropagationPolicy
{
    Background,
    Foreground,
    Orphan,
}

/// <summary>The options of a delete: propagation and preconditions.</summary>
internal sealed record DeleteOptions(PropagationPolicy Propagation = PropagationPolicy.Background, string? PreconditionUid = null, string? PreconditionResourceVersion = null);
