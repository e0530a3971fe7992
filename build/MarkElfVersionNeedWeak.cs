// MSBuild inline task (RoslynCodeTaskFactory), used by TorchSharpLibstdcxxFix.targets.
//
// Marks a symbol-version requirement ("Vernaux" entry in .gnu.version_r, e.g. GLIBCXX_3.4.32) of
// an ELF64 little-endian shared object as weak: vna_flags |= VER_FLG_WEAK (0x2). The dynamic
// loader then accepts the object even when the providing library lacks that version.
//
// Safety: the file is parsed with bounds checks and left untouched when anything looks wrong;
// the change is written to a private copy in the same folder (same mode, same timestamps) that is
// then renamed over the original, so a hard link into the NuGet cache is never written through
// and a reader never sees a half-written file. Idempotent: an entry that is already weak, or
// absent, is a no-op.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class MarkElfVersionNeedWeak : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const long DtNull = 0;
    private const long DtStrtab = 5;
    private const long DtVerneed = 0x6ffffffe;
    private const long DtVerneedNum = 0x6fffffff;
    private const uint PtLoad = 1;
    private const uint PtDynamic = 2;
    private const ushort VerFlgWeak = 0x2;

    [Required]
    public ITaskItem[] Files { get; set; }

    [Required]
    public string VersionName { get; set; }

    [Output]
    public ITaskItem[] Patched { get; set; }

    public override bool Execute()
    {
        var patched = new List<ITaskItem>();
        foreach (var item in Files ?? new ITaskItem[0])
        {
            var path = item.GetMetadata("FullPath");
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                if (PatchFile(path))
                {
                    patched.Add(item);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                Log.LogError("Could not mark {0} weak in '{1}': {2}", VersionName, path, ex.Message);
            }
        }

        Patched = patched.ToArray();
        return !Log.HasLoggedErrors;
    }

    private bool PatchFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        string problem;
        bool alreadyWeak;
        var offsets = FindFlagOffsets(bytes, VersionName, out alreadyWeak, out problem);
        if (problem != null)
        {
            Log.LogWarning("'{0}' left unchanged: {1}", path, problem);
            return false;
        }

        if (offsets.Count == 0)
        {
            Log.LogMessage(
                MessageImportance.Normal,
                alreadyWeak
                    ? "'{0}': version requirement {1} is already weak."
                    : "'{0}': no version requirement {1}; nothing to patch.",
                path,
                VersionName);
            return false;
        }

        var lastWrite = File.GetLastWriteTimeUtc(path);
        var lastAccess = File.GetLastAccessTimeUtc(path);
        var temp = Path.Combine(
            Path.GetDirectoryName(path),
            "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            File.Copy(path, temp, false); // keeps the Unix mode; a fresh inode, never a hard link
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                foreach (var offset in offsets)
                {
                    var flags = (ushort)(bytes[offset] | (bytes[offset + 1] << 8));
                    flags |= VerFlgWeak;
                    stream.Position = offset;
                    stream.WriteByte((byte)(flags & 0xff));
                    stream.WriteByte((byte)(flags >> 8));
                }

                stream.Flush(true);
            }

            // Verify before publishing the copy.
            bool weakAfter;
            string problemAfter;
            var remaining = FindFlagOffsets(File.ReadAllBytes(temp), VersionName, out weakAfter, out problemAfter);
            if (problemAfter != null || remaining.Count != 0 || !weakAfter)
            {
                throw new IOException("verification of the patched copy failed");
            }

            File.SetLastWriteTimeUtc(temp, lastWrite);
            File.SetLastAccessTimeUtc(temp, lastAccess);
            File.Replace(temp, path, null);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        Log.LogMessage(
            MessageImportance.High,
            "TorchSharp libstdc++ fix: marked version requirement {0} weak in {1}",
            VersionName,
            path);
        return true;
    }

    /// <summary>
    /// File offsets of vna_flags of every non-weak Vernaux entry named <paramref name="name"/>.
    /// </summary>
    internal static List<long> FindFlagOffsets(byte[] b, string name, out bool foundWeak, out string problem)
    {
        var result = new List<long>();
        foundWeak = false;
        problem = null;
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
        {
            problem = "not an ELF file";
            return result;
        }

        if (b[4] != 2 || b[5] != 1)
        {
            problem = "not a little-endian ELF64 file";
            return result;
        }

        long verneedOffset;
        long verneedCount;
        long strtabOffset;
        if (!FromSectionHeaders(b, out verneedOffset, out verneedCount, out strtabOffset)
            && !FromDynamicSegment(b, out verneedOffset, out verneedCount, out strtabOffset))
        {
            return result; // no version requirements at all
        }

        if (verneedOffset < 0 || strtabOffset < 0 || strtabOffset >= b.Length)
        {
            problem = "version requirement table out of range";
            return result;
        }

        var entry = verneedOffset;
        for (long n = 0; n < verneedCount; n++)
        {
            if (!InRange(b, entry, 16))
            {
                problem = "Verneed entry out of range";
                return result;
            }

            var count = U16(b, entry + 2);
            var aux = entry + U32(b, entry + 8);
            for (var a = 0; a < count; a++)
            {
                if (!InRange(b, aux, 16))
                {
                    problem = "Vernaux entry out of range";
                    return result;
                }

                string auxName;
                if (!TryReadString(b, strtabOffset + U32(b, aux + 8), out auxName))
                {
                    problem = "Vernaux name out of range";
                    return result;
                }

                if (auxName == name)
                {
                    if ((U16(b, aux + 4) & VerFlgWeak) != 0)
                    {
                        foundWeak = true;
                    }
                    else
                    {
                        result.Add(aux + 4);
                    }
                }

                var nextAux = U32(b, aux + 12);
                if (nextAux == 0)
                {
                    break;
                }

                aux += nextAux;
            }

            var next = U32(b, entry + 12);
            if (next == 0)
            {
                break;
            }

            entry += next;
        }

        return result;
    }

    private static bool FromSectionHeaders(byte[] b, out long verneed, out long count, out long strtab)
    {
        verneed = count = strtab = -1;
        var shoff = (long)U64(b, 0x28);
        var shentsize = U16(b, 0x3A);
        var shnum = U16(b, 0x3C);
        if (shoff <= 0 || shentsize < 64 || shnum == 0 || !InRange(b, shoff, (long)shentsize * shnum))
        {
            return false;
        }

        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + ((long)i * shentsize);
            if (U32(b, sh + 4) != ShtGnuVerneed)
            {
                continue;
            }

            var link = U32(b, sh + 40);
            if (link >= shnum)
            {
                return false;
            }

            verneed = (long)U64(b, sh + 24);
            count = U32(b, sh + 44);
            strtab = (long)U64(b, shoff + ((long)link * shentsize) + 24);
            return true;
        }

        return false;
    }

    private static bool FromDynamicSegment(byte[] b, out long verneed, out long count, out long strtab)
    {
        verneed = count = strtab = -1;
        var phoff = (long)U64(b, 0x20);
        var phentsize = U16(b, 0x36);
        var phnum = U16(b, 0x38);
        if (phoff <= 0 || phentsize < 56 || phnum == 0 || !InRange(b, phoff, (long)phentsize * phnum))
        {
            return false;
        }

        long dynOffset = -1;
        long dynSize = 0;
        for (var i = 0; i < phnum; i++)
        {
            var ph = phoff + ((long)i * phentsize);
            if (U32(b, ph) == PtDynamic)
            {
                dynOffset = (long)U64(b, ph + 8);
                dynSize = (long)U64(b, ph + 32);
            }
        }

        if (dynOffset < 0 || !InRange(b, dynOffset, dynSize))
        {
            return false;
        }

        ulong verneedAddr = 0;
        ulong strtabAddr = 0;
        for (var d = dynOffset; d + 16 <= dynOffset + dynSize; d += 16)
        {
            var tag = (long)U64(b, d);
            var value = U64(b, d + 8);
            if (tag == DtNull)
            {
                break;
            }

            if (tag == DtVerneed)
            {
                verneedAddr = value;
            }
            else if (tag == DtVerneedNum)
            {
                count = (long)value;
            }
            else if (tag == DtStrtab)
            {
                strtabAddr = value;
            }
        }

        if (verneedAddr == 0 || strtabAddr == 0 || count <= 0)
        {
            return false;
        }

        verneed = AddressToOffset(b, phoff, phentsize, phnum, verneedAddr);
        strtab = AddressToOffset(b, phoff, phentsize, phnum, strtabAddr);
        return verneed >= 0 && strtab >= 0;
    }

    private static long AddressToOffset(byte[] b, long phoff, int phentsize, int phnum, ulong address)
    {
        for (var i = 0; i < phnum; i++)
        {
            var ph = phoff + ((long)i * phentsize);
            if (U32(b, ph) != PtLoad)
            {
                continue;
            }

            var offset = U64(b, ph + 8);
            var vaddr = U64(b, ph + 16);
            var filesz = U64(b, ph + 32);
            if (address >= vaddr && address < vaddr + filesz)
            {
                return (long)(offset + (address - vaddr));
            }
        }

        return -1;
    }

    private static bool TryReadString(byte[] b, long offset, out string value)
    {
        value = null;
        if (offset < 0 || offset >= b.Length)
        {
            return false;
        }

        var end = offset;
        while (end < b.Length && b[end] != 0)
        {
            end++;
        }

        if (end >= b.Length)
        {
            return false;
        }

        value = Encoding.ASCII.GetString(b, (int)offset, (int)(end - offset));
        return true;
    }

    private static bool InRange(byte[] b, long offset, long length) =>
        offset >= 0 && length >= 0 && offset <= b.Length && length <= b.Length - offset;

    private static ushort U16(byte[] b, long o) => (ushort)(b[o] | (b[o + 1] << 8));

    private static uint U32(byte[] b, long o) =>
        (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));

    private static ulong U64(byte[] b, long o) => U32(b, o) | ((ulong)U32(b, o + 4) << 32);
}
