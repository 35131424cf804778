namespace ClusterLlm.Runtime.Pull;

/// <summary>A classified pull failure; <see cref="RetryAfter"/> carries a server's requested delay.</summary>
internal sealed class PullException : Exception
{
    public PullException()
    {
    }

    public PullException(string message)
        : base(message)
    {
    }

    public PullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PullException(PullFailure failure, string message, Exception? innerException = null, TimeSpan? retryAfter = null)
        : base(message, innerException)
    {
        Failure = failure;
        RetryAfter = retryAfter;
    }

    public PullFailure Failure { get; } = PullFailure.InvalidRequest;

    public TimeSpan? RetryAfter { get; }

    public bool IsRetryable => Failure.IsRetryable();
}
