namespace ClusterLlm.Runtime.Pull;

/// <summary>
/// Why a pull failed. The numeric value is the process exit code: 10-19 are permanent (retrying the
/// Job cannot help), 20-29 are retryable (a later attempt may succeed and resumes where this one stopped).
/// </summary>
internal enum PullFailure
{
    /// <summary>The source does not exist (HTTP 404/410, missing file).</summary>
    NotFound = 10,

    /// <summary>Credentials are missing or refused (HTTP 401/403).</summary>
    Unauthorized = 11,

    /// <summary>The downloaded bytes do not match the requested sha256.</summary>
    ChecksumMismatch = 12,

    /// <summary>The destination lacks the free space the file needs.</summary>
    InsufficientStorage = 13,

    /// <summary>The file arrived intact but is not a valid GGUF model.</summary>
    InvalidModel = 14,

    /// <summary>The request itself is wrong: unsupported URI scheme, malformed argument, other 4xx answers.</summary>
    InvalidRequest = 15,

    /// <summary>Connection refused, reset or closed early.</summary>
    Network = 20,

    /// <summary>No byte arrived within the read timeout.</summary>
    Timeout = 21,

    /// <summary>The server failed (HTTP 5xx, 408).</summary>
    ServerError = 22,

    /// <summary>The server asked us to slow down (HTTP 429).</summary>
    RateLimited = 23,

    /// <summary>A local I/O error other than a full disk.</summary>
    LocalIo = 24,

    /// <summary>The pull was stopped (SIGTERM); the partial file is kept for the next attempt.</summary>
    Cancelled = 25,
}

internal static class PullFailures
{
    public static bool IsRetryable(this PullFailure failure) => (int)failure >= 20;

    public static int ExitCode(this PullFailure failure) => (int)failure;
}
