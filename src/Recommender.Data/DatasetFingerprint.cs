using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Recommender.Data;

/// <summary>
/// A SHA-256 of a rating table's columns, recorded in model manifests so a model can be tied to
/// the exact data it was trained on. Hashes the values, not the files, so the same ratings give
/// the same fingerprint whatever format or folder they came from. Stable: little-endian bytes of
/// each column in turn after a versioned header, independent of the machine's endianness.
/// </summary>
public static class DatasetFingerprint
{
    private static readonly byte[] Header = "recommender.ratings.v1"u8.ToArray();

    /// <summary>Lower-case hex SHA-256.</summary>
    public static string Compute(RatingTable ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Header);
        Span<byte> count = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(count, ratings.Count);
        hash.AppendData(count);
        AppendColumn(hash, ratings.UserIds.AsSpan());
        AppendColumn(hash, ratings.ItemIds.AsSpan());
        AppendColumn(hash, ratings.Values.AsSpan());
        AppendColumn(hash, ratings.Timestamps.AsSpan());
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendColumn<T>(IncrementalHash hash, ReadOnlySpan<T> column)
        where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            hash.AppendData(MemoryMarshal.AsBytes(column));
            return;
        }

        // Big-endian machines: reverse each element so the hash matches little-endian ones.
        var size = Marshal.SizeOf<T>();
        var buffer = new byte[size];
        foreach (var value in column)
        {
            MemoryMarshal.Write(buffer, in value);
            Array.Reverse(buffer);
            hash.AppendData(buffer);
        }
    }
}
