using ClusterLlm.Runtime.Pull;

namespace ClusterLlm.Runtime.Tests.Pull;

/// <summary>
/// A volume of <paramref name="quota"/> bytes backed by a real directory: free space is the quota minus
/// what the directory's files really occupy. Stands in for a small tmpfs, which needs root to mount.
/// </summary>
internal sealed class QuotaFreeSpaceProvider(long quota) : IFreeSpaceProvider
{
    public long GetAvailableBytes(string directory) =>
        Math.Max(0, quota - Directory.EnumerateFiles(directory).Sum(f => new FileInfo(f).Length));
}
