namespace ClusterLlm.Runtime.Pull;

/// <summary>One verified file at its final path.</summary>
/// <param name="Path">The final path.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Sha256">Lower-case hex digest of the content.</param>
/// <param name="Revision">The revision the source resolved to, when it reports one.</param>
/// <param name="Reused">True when an already verified file was kept without any network traffic.</param>
/// <param name="Attempts">Requests made (1 plus retries); 0 when reused.</param>
/// <param name="RetryDelays">The delay before each retry, Retry-After included.</param>
internal sealed record DownloadedFile(string Path, long Size, string Sha256, string? Revision, bool Reused, int Attempts, IReadOnlyList<TimeSpan> RetryDelays);
