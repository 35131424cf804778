namespace ClusterLlm.Runtime.Serving;

/// <summary>How the OpenAI-compatible HTTP server behaves, independent of the engine.</summary>
internal sealed class ServerOptions
{
    /// <summary>The model id clients use and <c>/v1/models</c> lists; requests naming another model get 404.</summary>
    public string ModelAlias { get; set; } = "model";

    /// <summary>Bounded metric label: the InferencePool this replica serves.</summary>
    public string Pool { get; set; } = string.Empty;

    /// <summary>Bounded metric label: the pool revision this replica runs.</summary>
    public string Revision { get; set; } = string.Empty;

    /// <summary>Larger bodies get 413 before any parsing.</summary>
    public long MaxRequestBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>An SSE comment goes out after this much silence, so proxies keep the stream open through a long queue or prefill.</summary>
    public TimeSpan SsePingInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long SIGTERM waits for accepted requests before the process exits.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A file of bearer keys, one per line; null serves without authentication.</summary>
    public string? ApiKeyFile { get; set; }
}
