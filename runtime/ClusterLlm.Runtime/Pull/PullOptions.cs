namespace ClusterLlm.Runtime.Pull;

/// <summary>How a pull retries, times out and reports; defaults suit a multi-gigabyte download in a Job.</summary>
internal sealed class PullOptions
{
    /// <summary>Retries per file after transient failures; the Job's own retries resume from the partial file.</summary>
    public int MaxRetries { get; set; } = 8;

    /// <summary>First retry delay; later ones double, with jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest <c>Retry-After</c> honoured; a server asking for more gets this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest wait for response headers or for any bytes of the body.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a progress log line is written.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Size of each of the two buffers that overlap network reads with hashing and writing. Small enough
    /// that a chunk is still in the CPU cache when it is hashed and copied to the page cache: with 4 MiB
    /// buffers the same download spent several times more system time (measured with file:// pulls of 1 GiB).
    /// </summary>
    public int BufferSize { get; set; } = 256 << 10;

    /// <summary>Bearer token for Hugging Face (from HF_TOKEN or a token file).</summary>
    public string? HuggingFaceToken { get; set; }

    /// <summary>The Hugging Face endpoint hf:// URIs resolve against (HF_ENDPOINT).</summary>
    public Uri HuggingFaceEndpoint { get; set; } = new("https://huggingface.co");

    /// <summary>Checks the options, naming the first bad one.</summary>
    public void Validate()
    {
        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "must be at least 0");
        }

        if (ReadTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(ReadTimeout <= TimeSpan.Zero ? nameof(ReadTimeout) : nameof(ConnectTimeout), "timeouts must be positive");
        }

        if (BufferSize < 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(BufferSize), BufferSize, "must be at least 4096");
        }
    }
}
