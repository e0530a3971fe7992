using System.Buffers.Binary;
using System.Security.Cryptography;
using Recommender.Data;

namespace Recommender.Models.Artifacts;

/// <summary>
/// The user and item id maps of one model version: dense index → external id. Every matrix row and
/// embedding of the version is indexed by these, so they travel together and share a fingerprint.
/// </summary>
public sealed record IdMaps(IdMap Users, IdMap Items)
{
    /// <summary>
    /// Lower-case hex SHA-256 over the maps' content (not over a file), so two versions trained on
    /// the same indexing compare equal whatever dtype the file used, and a server can tell whether
    /// it may reuse per-index caches across a reload. Input: for users then items, the count as
    /// little-endian int64 followed by each external id as little-endian int64.
    /// </summary>
    public string Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[8];
        foreach (var map in (ReadOnlySpan<IdMap>)[Users, Items])
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, map.Count);
            hash.AppendData(buffer);
            foreach (var id in map.ExternalIds)
            {
                BinaryPrimitives.WriteInt64LittleEndian(buffer, id);
                hash.AppendData(buffer);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
