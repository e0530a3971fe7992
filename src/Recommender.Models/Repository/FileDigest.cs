using System.Security.Cryptography;

namespace Recommender.Models.Repository;

/// <summary>Size and SHA-256 of a file in one pass, optionally flushing it to disk first.</summary>
internal static class FileDigest
{
    public static ManifestFile Compute(string path, bool flushToDisk)
    {
        var name = Path.GetFileName(path);
        // Read-write only when flushing: fsync needs a descriptor the runtime considers writable.
        using var stream = new FileStream(path, FileMode.Open, flushToDisk ? FileAccess.ReadWrite : FileAccess.Read,
            FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        if (flushToDisk)
        {
            stream.Flush(flushToDisk: true);
        }

        var hash = SHA256.HashData(stream);
        return new ManifestFile(name, stream.Length, Convert.ToHexStringLower(hash));
    }
}
