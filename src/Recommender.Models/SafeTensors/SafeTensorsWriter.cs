using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Recommender.Models.SafeTensors;

/// <summary>
/// Writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte
/// little-endian header length N, N bytes of UTF-8 JSON padded with spaces to a multiple of 8,
/// then the raw little-endian tensor bytes back to back. Tensors are laid out as the reference
/// implementation lays them out (dtype descending, then name) so every tensor starts naturally
/// aligned and Python's <c>safe_open</c>/numpy can view it without a copy.
/// The writer keeps references to the caller's arrays; nothing is copied until <see cref="WriteTo"/>.
/// </summary>
public sealed class SafeTensorsWriter
{
    /// <summary>The name reserved by the format for the string→string metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    private static readonly JsonWriterOptions HeaderJsonOptions = new()
    {
        // serde_json (the reference writer) escapes only quotes, backslashes and control characters;
        // the relaxed encoder comes closest, and the output is read back as data, never as HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly List<Entry> _entries = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>Adds a metadata entry (written under <c>__metadata__</c>); later values replace earlier ones.</summary>
    public SafeTensorsWriter AddMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _metadata[key] = value;
        return this;
    }

    public SafeTensorsWriter Add(string name, ReadOnlyMemory<float> data, params ReadOnlySpan<long> shape) =>
        Add(name, SafeTensorDType.F32, data, shape);

    public SafeTensorsWriter Add(string name, ReadOnlyMemory<double> data, params ReadOnlySpan<long> shape) =>
        Add(name, SafeTensorDType.F64, data, shape);

    public SafeTensorsWriter Add(string name, ReadOnlyMemory<int> data, params ReadOnlySpan<long> shape) =>
        Add(name, SafeTensorDType.I32, data, shape);

    public SafeTensorsWriter Add(string name, ReadOnlyMemory<long> data, params ReadOnlySpan<long> shape) =>
        Add(name, SafeTensorDType.I64, data, shape);

    public SafeTensorsWriter Add(string name, ReadOnlyMemory<byte> data, params ReadOnlySpan<long> shape) =>
        Add(name, SafeTensorDType.U8, data, shape);

    /// <summary>
    /// Adds a tensor whose element type <typeparamref name="T"/> has the size of <paramref name="dtype"/>
    /// (e.g. raw <see cref="ushort"/> bits for F16/BF16). An empty shape is a scalar of one element.
    /// </summary>
    public SafeTensorsWriter Add<T>(string name, SafeTensorDType dtype, ReadOnlyMemory<T> data, ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == MetadataKey)
        {
            throw new ArgumentException($"'{MetadataKey}' is reserved by the format.", nameof(name));
        }

        if (Unsafe.SizeOf<T>() != dtype.SizeOf())
        {
            throw new ArgumentException($"{typeof(T).Name} elements do not have the size of {dtype.HeaderName()}.", nameof(dtype));
        }

        long count = 1;
        foreach (var d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            count = checked(count * d);
        }

        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has {data.Length} elements but shape [{string.Join(',', shape.ToArray())}] needs {count}.", nameof(data));
        }

        if (!_names.Add(name))
        {
            throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));
        }

        _entries.Add(new Entry<T>(name, dtype, shape.ToArray(), data));
        return this;
    }

    /// <summary>Writes the file at <paramref name="path"/>, replacing any file there, and flushes it to disk.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        WriteTo(stream);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Writes header and data to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        EnsureLittleEndian();
        var ordered = Ordered();
        stream.Write(BuildHeader(ordered));
        foreach (var entry in ordered)
        {
            entry.WriteData(stream);
        }
    }

    /// <summary>The 8-byte length prefix plus the padded JSON header, exactly as written to the file.</summary>
    public byte[] BuildHeader() => BuildHeader(Ordered());

    private List<Entry> Ordered()
    {
        // Reference order: dtype descending, then name (ordinal). Sizes never increase along the
        // data section, so each tensor starts at a multiple of its element size.
        var ordered = new List<Entry>(_entries);
        ordered.Sort(static (a, b) =>
        {
            var byType = b.DType.CompareTo(a.DType);
            return byType != 0 ? byType : string.CompareOrdinal(a.Name, b.Name);
        });
        return ordered;
    }

    private byte[] BuildHeader(List<Entry> ordered)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json, HeaderJsonOptions))
        {
            writer.WriteStartObject();
            if (_metadata.Count > 0)
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in _metadata)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (var entry in ordered)
            {
                var end = checked(offset + entry.ByteLength);
                writer.WriteStartObject(entry.Name);
                writer.WriteString("dtype", entry.DType.HeaderName());
                writer.WriteStartArray("shape");
                foreach (var d in entry.Shape)
                {
                    writer.WriteNumberValue(d);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset = end;
            }

            writer.WriteEndObject();
        }

        var jsonLength = (int)json.Length;
        var padded = (jsonLength + 7) & ~7;
        var header = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)padded);
        json.GetBuffer().AsSpan(0, jsonLength).CopyTo(header.AsSpan(8));
        header.AsSpan(8 + jsonLength).Fill((byte)' ');
        return header;
    }

    internal static void EnsureLittleEndian()
    {
        // Tensors are copied as raw memory; a big-endian host would need byte swapping we don't do.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors I/O needs a little-endian host.");
        }
    }

    private abstract class Entry(string name, SafeTensorDType dtype, long[] shape)
    {
        public string Name { get; } = name;

        public SafeTensorDType DType { get; } = dtype;

        public long[] Shape { get; } = shape;

        public abstract long ByteLength { get; }

        public abstract void WriteData(Stream stream);
    }

    private sealed class Entry<T>(string name, SafeTensorDType dtype, long[] shape, ReadOnlyMemory<T> data)
        : Entry(name, dtype, shape)
        where T : unmanaged
    {
        // Chunks keep each byte span under int.MaxValue however large the tensor is.
        private const int ChunkBytes = 1 << 24;

        public override long ByteLength => (long)data.Length * Unsafe.SizeOf<T>();

        public override void WriteData(Stream stream)
        {
            var perChunk = ChunkBytes / Unsafe.SizeOf<T>();
            for (var start = 0; start < data.Length; start += perChunk)
            {
                var span = data.Span.Slice(start, Math.Min(perChunk, data.Length - start));
                stream.Write(MemoryMarshal.AsBytes(span));
            }
        }
    }
}
