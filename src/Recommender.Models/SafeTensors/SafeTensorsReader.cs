using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Unicode;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Recommender.Models.SafeTensors;

/// <summary>
/// Reads a safetensors file. <see cref="Open"/> validates the whole layout up front, with the
/// reference implementation's rules (header within the file, well-formed UTF-8 JSON, known dtypes,
/// offsets contiguous from 0 without gaps or overlaps, byte sizes matching shapes, no trailing
/// bytes), so a truncated or corrupt file fails at open with <see cref="ArtifactFormatException"/>
/// rather than producing garbage later. Tensor data is then read with positional reads straight
/// into the destination array: one copy, no intermediate buffers, no stream position to share,
/// so concurrent reads of different tensors are safe.
/// </summary>
public sealed class SafeTensorsReader : IDisposable
{
    /// <summary>The reference implementation's limit; larger headers are refused as corrupt.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const int ChunkBytes = 1 << 24;

    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, SafeTensorInfo> _byName;

    private SafeTensorsReader(string path, SafeFileHandle handle, long dataOffset, List<SafeTensorInfo> tensors,
        Dictionary<string, string> metadata)
    {
        FilePath = path;
        _handle = handle;
        DataOffset = dataOffset;
        Tensors = tensors;
        Metadata = metadata;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public string FilePath { get; }

    /// <summary>Absolute file offset of the data section (8 + header length).</summary>
    public long DataOffset { get; }

    /// <summary>The tensors in data order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    public static SafeTensorsReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeTensorsWriter.EnsureLittleEndian();
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ArtifactFormatException(path, "the file does not exist", e);
        }

        try
        {
            var (dataOffset, tensors, metadata) = ReadHeader(path, handle);
            return new SafeTensorsReader(path, handle, dataOffset, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGetTensor(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SafeTensorInfo? info) =>
        _byName.TryGetValue(name, out info);

    /// <summary>The named tensor's header entry; a missing tensor is a format error of this file.</summary>
    public SafeTensorInfo GetTensor(string name) =>
        _byName.TryGetValue(name, out var info)
            ? info
            : throw new ArtifactFormatException(FilePath, $"tensor '{name}' is missing");

    public float[] ReadSingle(string name) => Read<float>(name, SafeTensorDType.F32);

    public double[] ReadDouble(string name) => Read<double>(name, SafeTensorDType.F64);

    public int[] ReadInt32(string name) => Read<int>(name, SafeTensorDType.I32);

    public long[] ReadInt64(string name) => Read<long>(name, SafeTensorDType.I64);

    /// <summary>
    /// Reads an integer vector stored as I32 or I64 (writers differ; numpy defaults to int64) into
    /// <see cref="int"/>s, refusing values that don't fit.
    /// </summary>
    public int[] ReadIndexVector(string name)
    {
        var info = GetTensor(name);
        if (info.DType == SafeTensorDType.I32)
        {
            return ReadInt32(name);
        }

        if (info.DType != SafeTensorDType.I64)
        {
            throw new ArtifactFormatException(FilePath, $"tensor '{name}' has dtype {info.DType.HeaderName()}; expected I32 or I64");
        }

        var wide = ReadInt64(name);
        var narrow = new int[wide.Length];
        for (var i = 0; i < wide.Length; i++)
        {
            if (wide[i] is < int.MinValue or > int.MaxValue)
            {
                throw new ArtifactFormatException(FilePath, $"tensor '{name}' element {i} ({wide[i]}) does not fit in 32 bits");
            }

            narrow[i] = (int)wide[i];
        }

        return narrow;
    }

    /// <summary>Reads the named tensor into a new array after checking its dtype.</summary>
    public T[] Read<T>(string name, SafeTensorDType expected)
        where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() != expected.SizeOf())
        {
            throw new ArgumentException($"{typeof(T).Name} does not match {expected.HeaderName()}.", nameof(expected));
        }

        var info = GetTensor(name);
        if (info.DType != expected)
        {
            throw new ArtifactFormatException(FilePath, $"tensor '{name}' has dtype {info.DType.HeaderName()}; expected {expected.HeaderName()}");
        }

        var count = info.ElementCount;
        if (count > Array.MaxLength)
        {
            throw new ArtifactFormatException(FilePath, $"tensor '{name}' has {count} elements, more than one array can hold");
        }

        var result = GC.AllocateUninitializedArray<T>((int)count);
        ReadInto(info, result.AsSpan());
        return result;
    }

    /// <summary>Reads the named tensor into <paramref name="destination"/>, which must have exactly its element count.</summary>
    public void ReadInto<T>(SafeTensorInfo info, Span<T> destination)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.ElementCount != destination.Length || (long)destination.Length * Unsafe.SizeOf<T>() != info.ByteLength)
        {
            throw new ArgumentException($"Destination does not match tensor '{info.Name}'.", nameof(destination));
        }

        var perChunk = ChunkBytes / Unsafe.SizeOf<T>();
        var position = DataOffset + info.Begin;
        for (var start = 0; start < destination.Length; start += perChunk)
        {
            var bytes = MemoryMarshal.AsBytes(destination.Slice(start, Math.Min(perChunk, destination.Length - start)));
            ReadExactly(bytes, position);
            position += bytes.Length;
        }
    }

    public void Dispose() => _handle.Dispose();

    private void ReadExactly(Span<byte> buffer, long position)
    {
        while (!buffer.IsEmpty)
        {
            var n = RandomAccess.Read(_handle, buffer, position);
            if (n == 0)
            {
                // Validated at open, so the file shrank underneath us.
                throw new ArtifactFormatException(FilePath, $"truncated: unexpected end of file at byte {position}");
            }

            buffer = buffer[n..];
            position += n;
        }
    }

    private static (long DataOffset, List<SafeTensorInfo> Tensors, Dictionary<string, string> Metadata) ReadHeader(
        string path, SafeFileHandle handle)
    {
        var fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
        {
            throw new ArtifactFormatException(path, $"truncated: {fileLength} bytes, shorter than the 8-byte header length");
        }

        Span<byte> prefix = stackalloc byte[8];
        ReadFully(path, handle, prefix, 0);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderLength)
        {
            throw new ArtifactFormatException(path, $"corrupt: header length {headerLength} exceeds the {MaxHeaderLength}-byte limit");
        }

        if ((long)headerLength > fileLength - 8)
        {
            throw new ArtifactFormatException(path, $"truncated: header length {headerLength} runs past the end of the {fileLength}-byte file");
        }

        var header = new byte[headerLength];
        ReadFully(path, handle, header, 8);
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            throw new ArtifactFormatException(path, "corrupt: the header does not start with a JSON object");
        }

        if (!Utf8.IsValid(header))
        {
            throw new ArtifactFormatException(path, "corrupt: the header is not valid UTF-8");
        }

        var (tensors, metadata) = ParseHeader(path, header);
        var dataOffset = 8 + (long)headerLength;
        var dataLength = fileLength - dataOffset;

        // Contiguity: sorted by offsets, the tensors must tile [0, dataLength) exactly.
        var sorted = tensors.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        long expectedBegin = 0;
        foreach (var t in sorted)
        {
            if (t.Begin != expectedBegin)
            {
                var what = t.Begin < expectedBegin ? "overlaps the previous tensor" : "leaves a gap after the previous tensor";
                throw new ArtifactFormatException(path, $"corrupt: tensor '{t.Name}' data_offsets [{t.Begin}, {t.End}] {what} (expected begin {expectedBegin})");
            }

            expectedBegin = t.End;
        }

        if (expectedBegin > dataLength)
        {
            throw new ArtifactFormatException(path, $"truncated: tensors need {expectedBegin} data bytes but the file holds {dataLength}");
        }

        if (expectedBegin < dataLength)
        {
            throw new ArtifactFormatException(path, $"corrupt: {dataLength - expectedBegin} trailing bytes after the last tensor");
        }

        return (dataOffset, sorted, metadata);
    }

    private static (List<SafeTensorInfo> Tensors, Dictionary<string, string> Metadata) ParseHeader(string path, byte[] header)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new ArtifactFormatException(path, $"corrupt: the header is not well-formed JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ArtifactFormatException(path, "corrupt: the header is not a JSON object");
            }

            var tensors = new List<SafeTensorInfo>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new ArtifactFormatException(path, $"corrupt: the header names '{property.Name}' twice");
                }

                if (property.Name == SafeTensorsWriter.MetadataKey)
                {
                    ParseMetadata(path, property.Value, metadata);
                }
                else
                {
                    tensors.Add(ParseTensor(path, property.Name, property.Value));
                }
            }

            return (tensors, metadata);
        }
    }

    private static void ParseMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ArtifactFormatException(path, "corrupt: __metadata__ is not an object");
        }

        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new ArtifactFormatException(path, $"corrupt: metadata '{entry.Name}' is not a string");
            }

            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
            {
                throw new ArtifactFormatException(path, $"corrupt: metadata '{entry.Name}' appears twice");
            }
        }
    }

    private static SafeTensorInfo ParseTensor(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ArtifactFormatException(path, $"corrupt: header entry '{name}' is not an object");
        }

        string? dtypeName = null;
        List<long>? shape = null;
        List<long>? offsets = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtypeName is null && field.Value.ValueKind == JsonValueKind.String:
                    dtypeName = field.Value.GetString();
                    break;
                case "shape" when shape is null:
                    shape = ParseUnsignedArray(path, name, "shape", field.Value);
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ParseUnsignedArray(path, name, "data_offsets", field.Value);
                    break;
                default:
                    throw new ArtifactFormatException(path, $"corrupt: tensor '{name}' has an unexpected or repeated field '{field.Name}'");
            }
        }

        if (dtypeName is null || shape is null || offsets is null)
        {
            throw new ArtifactFormatException(path, $"corrupt: tensor '{name}' needs dtype, shape and data_offsets");
        }

        if (!SafeTensorDTypes.TryParse(dtypeName, out var dtype))
        {
            throw new ArtifactFormatException(path, $"corrupt or unsupported: tensor '{name}' has unknown dtype '{dtypeName}'");
        }

        if (offsets.Count != 2 || offsets[0] > offsets[1])
        {
            throw new ArtifactFormatException(path, $"corrupt: tensor '{name}' data_offsets must be [begin, end] with begin <= end");
        }

        var info = new SafeTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
        long expectedBytes;
        try
        {
            expectedBytes = checked(info.ElementCount * dtype.SizeOf());
        }
        catch (OverflowException e)
        {
            throw new ArtifactFormatException(path, $"corrupt: tensor '{name}' shape overflows", e);
        }

        if (expectedBytes != info.ByteLength)
        {
            throw new ArtifactFormatException(path,
                $"corrupt: tensor '{name}' spans {info.ByteLength} bytes but {dtype.HeaderName()} [{string.Join(',', shape)}] needs {expectedBytes}");
        }

        return info;
    }

    private static List<long> ParseUnsignedArray(string path, string name, string field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new ArtifactFormatException(path, $"corrupt: tensor '{name}' {field} is not an array");
        }

        var result = new List<long>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var n) || n < 0)
            {
                throw new ArtifactFormatException(path, $"corrupt: tensor '{name}' {field} holds '{item.GetRawText()}', not a non-negative integer");
            }

            result.Add(n);
        }

        return result;
    }

    private static void ReadFully(string path, SafeFileHandle handle, Span<byte> buffer, long position)
    {
        while (!buffer.IsEmpty)
        {
            var n = RandomAccess.Read(handle, buffer, position);
            if (n == 0)
            {
                throw new ArtifactFormatException(path, $"truncated: unexpected end of file at byte {position}");
            }

            buffer = buffer[n..];
            position += n;
        }
    }
}
