using System.Buffers.Binary;
using System.Text;

namespace Recommender.Training.Tests;

/// <summary>
/// A minimal, independent reader of an ELF64 little-endian file's .gnu.version_r section
/// (found through the section headers), used to check the build's libstdc++ fix.
/// </summary>
internal static class ElfVersionNeeds
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>Every (file, version name, flags) requirement in the file.</summary>
    public static IReadOnlyList<(string File, string Name, ushort Flags)> Read(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || !elf[..4].SequenceEqual("\u007fELF"u8) || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("Not a little-endian ELF64 file.");
        }

        var shoff = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]));
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        var result = new List<(string, string, ushort)>();
        for (var i = 0; i < shnum; i++)
        {
            var sh = elf.Slice(shoff + (i * shentsize), shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed)
            {
                continue;
            }

            var offset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(sh[24..]));
            var link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[40..]);
            var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[44..]);
            var strtab = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(elf.Slice(shoff + (link * shentsize) + 24)));
            var entry = offset;
            for (var n = 0; n < count; n++)
            {
                var file = CString(elf, strtab + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(entry + 4)..]));
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[(entry + 2)..]);
                var aux = entry + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(entry + 8)..]);
                for (var a = 0; a < auxCount; a++)
                {
                    var flags = BinaryPrimitives.ReadUInt16LittleEndian(elf[(aux + 4)..]);
                    var name = CString(elf, strtab + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 8)..]));
                    result.Add((file, name, flags));
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 12)..]);
                }

                entry += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(entry + 12)..]);
            }
        }

        return result;
    }

    /// <summary>True when the file requires <paramref name="version"/> without the weak flag.</summary>
    public static bool HasStrictRequirement(ReadOnlySpan<byte> elf, string version) =>
        Read(elf).Any(r => r.Name == version && (r.Flags & VerFlgWeak) == 0);

    private static string CString(ReadOnlySpan<byte> data, int offset)
    {
        var end = data[offset..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(data.Slice(offset, end));
    }
}
