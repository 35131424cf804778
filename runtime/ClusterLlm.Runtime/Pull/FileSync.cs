using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ClusterLlm.Runtime.Pull;

/// <summary>
/// Durability calls .NET does not offer, through libc on Linux (no-ops elsewhere): fsync of a directory,
/// which makes a rename inside it durable, and early writeback, so that the final fsync of a large
/// download does not have to flush gigabytes of dirty pages at once.
/// </summary>
internal static partial class FileSync
{
    private const uint SyncFileRangeWrite = 2;

    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = open(directory, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    /// <summary>Starts writing a range of the file to disk without waiting for it (sync_file_range).</summary>
    public static void StartWriteback(SafeFileHandle file, long offset, long count)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var added = false;
        file.DangerousAddRef(ref added);
        try
        {
            // Best effort: fsync at the end is what guarantees durability, so a failure here is ignored.
            _ = sync_file_range((int)file.DangerousGetHandle(), offset, count, SyncFileRangeWrite);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);
}
