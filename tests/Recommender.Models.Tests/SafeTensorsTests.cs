using System.Buffers.Binary;
using System.Text;
using Recommender.Models.SafeTensors;

namespace Recommender.Models.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly ArtifactTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Tiny_tensor_file_matches_the_hand_computed_bytes()
    {
        var path = _dir.File("tiny.safetensors");
        new SafeTensorsWriter().Add("a", new[] { 1f, 2f }, 2).Save(path);

        // {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} is 54 bytes; padded to 56 with 2 spaces.
        const string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  ";
        var expected = new List<byte> { 56, 0, 0, 0, 0, 0, 0, 0 };
        expected.AddRange(Encoding.ASCII.GetBytes(json));
        expected.AddRange([0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40]); // 1.0f, 2.0f little-endian
        Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void Header_puts_metadata_first_and_orders_tensors_like_the_reference_writer()
    {
        var header = new SafeTensorsWriter()
            .AddMetadata("k", "v")
            .Add("a", new[] { 1f }, 1)
            .Add("b", new long[] { 7 }, 1)
            .Add("c", new int[] { 7 }, 1)
            .BuildHeader();

        const string json = "{\"__metadata__\":{\"k\":\"v\"},"
            + "\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
            + "\"c\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[12,16]}}";
        var padded = (json.Length + 7) / 8 * 8;
        Assert.Equal((ulong)padded, BinaryPrimitives.ReadUInt64LittleEndian(header));
        Assert.Equal(json.PadRight(padded, ' '), Encoding.UTF8.GetString(header, 8, header.Length - 8));
        Assert.Equal(0, header.Length % 8);
    }

    [Fact]
    public void Round_trips_every_supported_type_shape_and_metadata()
    {
        var path = _dir.File("all.safetensors");
        var matrix = ArtifactSamples.Values(12, 5);
        new SafeTensorsWriter()
            .AddMetadata("variant", "biased")
            .AddMetadata("title", "Amélie \"quoted\" \\ tab\t")
            .Add("matrix", matrix, 3, 4)
            .Add("scalar", new[] { 3.5f }, ReadOnlySpan<long>.Empty)
            .Add("ints", new[] { -1, 0, int.MaxValue }, 3)
            .Add("longs", new[] { long.MinValue, 42L }, 2)
            .Add("doubles", new[] { Math.PI }, 1)
            .Add("empty", Array.Empty<float>(), 0, 5)
            .Save(path);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal("biased", reader.Metadata["variant"]);
        Assert.Equal("Amélie \"quoted\" \\ tab\t", reader.Metadata["title"]);
        Assert.Equal(matrix, reader.ReadSingle("matrix"));
        Assert.Equal([3L, 4L], reader.GetTensor("matrix").Shape);
        Assert.Empty(reader.GetTensor("scalar").Shape);
        Assert.Equal([3.5f], reader.ReadSingle("scalar"));
        Assert.Equal([-1, 0, int.MaxValue], reader.ReadInt32("ints"));
        Assert.Equal([long.MinValue, 42L], reader.ReadInt64("longs"));
        Assert.Equal([Math.PI], reader.ReadDouble("doubles"));
        Assert.Empty(reader.ReadSingle("empty"));
        Assert.Equal([-1, 0, int.MaxValue], reader.ReadIndexVector("ints"));
        Assert.Equal(6, reader.Tensors.Count);
    }

    [Fact]
    public void Each_tensor_starts_at_a_multiple_of_its_element_size()
    {
        var path = _dir.File("aligned.safetensors");
        new SafeTensorsWriter()
            .Add("bytes", new byte[] { 1, 2, 3 }, 3)
            .Add("f", new[] { 1f, 2f, 3f }, 3)
            .Add("l", new[] { 1L }, 1)
            .Save(path);
        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(0, reader.DataOffset % 8);
        foreach (var t in reader.Tensors)
        {
            Assert.Equal(0, (reader.DataOffset + t.Begin) % t.DType.SizeOf());
        }
    }

    [Fact]
    public void Wrong_dtype_and_missing_tensor_name_the_file()
    {
        var path = _dir.File("x.safetensors");
        new SafeTensorsWriter().Add("a", new[] { 1f }, 1).Save(path);
        using var reader = SafeTensorsReader.Open(path);
        var wrong = Assert.Throws<ArtifactFormatException>(() => reader.ReadInt32("a"));
        Assert.Contains(path, wrong.Message, StringComparison.Ordinal);
        Assert.Contains("F32", wrong.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ArtifactFormatException>(() => reader.ReadSingle("b"));
        Assert.Contains("'b' is missing", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_refuses_shape_mismatch_duplicates_and_reserved_name()
    {
        var writer = new SafeTensorsWriter().Add("a", new[] { 1f, 2f }, 2);
        Assert.Throws<ArgumentException>(() => writer.Add("b", new[] { 1f, 2f }, 3));
        Assert.Throws<ArgumentException>(() => writer.Add("a", new[] { 1f }, 1));
        Assert.Throws<ArgumentException>(() => writer.Add(SafeTensorsWriter.MetadataKey, new[] { 1f }, 1));
    }

    [Theory]
    [InlineData(0, "truncated")]
    [InlineData(5, "truncated")]
    [InlineData(20, "truncated")] // inside the header
    [InlineData(70, "truncated")] // inside the data
    public void Truncated_files_are_refused_with_the_file_named(int keep, string expected)
    {
        var path = WriteTiny();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..keep]);
        var e = Assert.Throws<ArtifactFormatException>(() => SafeTensorsReader.Open(path).Dispose());
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_garbage_is_refused()
    {
        var path = WriteTiny();
        File.AppendAllText(path, "xx");
        var e = Assert.Throws<ArtifactFormatException>(() => SafeTensorsReader.Open(path).Dispose());
        Assert.Contains("trailing", e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Missing_file_is_refused_with_its_name()
    {
        var path = _dir.File("nope.safetensors");
        var e = Assert.Throws<ArtifactFormatException>(() => SafeTensorsReader.Open(path).Dispose());
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_header_length_is_refused()
    {
        var path = WriteTiny();
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ArtifactFormatException>(() => SafeTensorsReader.Open(path).Dispose());
        Assert.Contains("header length", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> CorruptHeaders => new()
    {
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "well-formed" },
        { "[1,2,3]", "JSON object" },
        { "{\"a\":{\"dtype\":\"F99\",\"shape\":[2],\"data_offsets\":[0,8]}}", "unknown dtype" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "needs 12" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "non-negative" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "begin <= end" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "gap" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "overlaps" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "needs dtype, shape and data_offsets" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}", "unexpected" },
        { "{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "not a string" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "twice" },
    };

    [Theory]
    [MemberData(nameof(CorruptHeaders))]
    public void Corrupt_headers_are_refused(string json, string expected)
    {
        var path = _dir.File("corrupt.safetensors");
        var header = Encoding.UTF8.GetBytes(json);
        var data = new byte[8];
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ArtifactFormatException>(() => SafeTensorsReader.Open(path).Dispose());
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_in_the_header_is_refused()
    {
        var path = WriteTiny();
        var bytes = File.ReadAllBytes(path);
        bytes[10] = 0xFF; // inside the name "a"
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ArtifactFormatException>(() => SafeTensorsReader.Open(path).Dispose());
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void I64_index_vectors_out_of_int_range_are_refused()
    {
        var path = _dir.File("wide.safetensors");
        new SafeTensorsWriter().Add("ids", new[] { 1L, 1L << 40 }, 2).Save(path);
        using var reader = SafeTensorsReader.Open(path);
        Assert.Throws<ArtifactFormatException>(() => reader.ReadIndexVector("ids"));
    }

    private string WriteTiny()
    {
        var path = _dir.File("tiny.safetensors");
        new SafeTensorsWriter().Add("a", new[] { 1f, 2f }, 2).Save(path);
        return path;
    }
}
