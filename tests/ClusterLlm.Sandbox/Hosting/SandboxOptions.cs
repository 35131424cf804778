namespace ClusterLlm.Sandbox.Hosting;

/// <summary>Options of a sandbox API server.</summary>
public sealed class SandboxOptions
{
    /// <summary>The loopback port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>When set, every request must carry <c>Authorization: Bearer</c> with this token.</summary>
    public string? Token { get; set; }

    /// <summary>Where to write a kubeconfig for kubectl and KubernetesClient; none when null.</summary>
    public string? KubeconfigPath { get; set; }

    /// <summary>How often an idle watch that allows bookmarks receives one.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Watch events kept per resource; a watch from an older resourceVersion gets 410 Gone.</summary>
    public int WatchHistory { get; set; } = 4096;

    /// <summary>Serve the <c>/sandbox/*</c> admin endpoints (faults, restart, counters, log appends).</summary>
    public bool AdminEndpoints { get; set; } = true;

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
