using System.Runtime.InteropServices;

namespace Recommender.Models.Repository;

/// <summary>
/// fsync of a directory, so a rename (publish) or new file survives a power loss. .NET cannot open
/// a directory as a file, so this goes to libc; Windows has no equivalent and needs none (NTFS
/// journals metadata), so there it does nothing.
/// </summary>
public static class DirectorySync
{
    private const int ORdOnly = 0;
    private const int EInval = 22;
    private const int ENotSup = 95;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = NativeMethods.open(directory, ORdOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (NativeMethods.fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // Some file systems (tmpfs on old kernels, certain network mounts) refuse directory
                // fsync; there is nothing more durable to ask of them.
                if (errno is not (EInval or ENotSup))
                {
                    throw new IOException($"fsync of directory '{directory}' failed (errno {errno}).");
                }
            }
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable CA1401, SYSLIB1054 // LibraryImport needs unsafe code, which this project does not enable.
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int close(int fd);
#pragma warning restore CA1401, SYSLIB1054
    }
}
