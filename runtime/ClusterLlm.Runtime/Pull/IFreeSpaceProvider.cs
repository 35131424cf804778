namespace ClusterLlm.Runtime.Pull;

/// <summary>Bytes that can still be written in a directory; injected so tests can impose a quota.</summary>
internal interface IFreeSpaceProvider
{
    long GetAvailableBytes(string directory);
}

/// <summary>The free space of the file system holding the directory (statvfs through <see cref="DriveInfo"/>).</summary>
internal sealed class FileSystemFreeSpaceProvider : IFreeSpaceProvider
{
    public long GetAvailableBytes(string directory) => new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
}
