using System.Text;
using Recommender.Models.Repository;

namespace Recommender.Models.Tests;

public sealed class ManifestTests
{
    private static readonly string Hash = new('a', 64);

    private static Manifest Sample(long version = 3) => new(
        "movielens",
        version,
        new DateTimeOffset(2026, 11, 27, 4, 5, 6, 789, TimeSpan.FromHours(2)),
        new DatasetInfo("ml-100k", "sha256:abc"),
        [ModelEntry.Neural("neural.onnx", 20, [64, 32]), ModelEntry.Mf("mf.safetensors", "biased", 15)],
        new Dictionary<string, string> { ["lr"] = "0.01", ["epochs"] = "20" },
        new Dictionary<string, double> { ["rmse"] = 0.9123, ["mae"] = 0.71, ["nan"] = double.NaN },
        new string('b', 64),
        [new ManifestFile("mf.safetensors", 10, Hash), new ManifestFile("ids.safetensors", 20, Hash), new ManifestFile("neural.onnx", 30, Hash)]);

    [Fact]
    public void Round_trips_through_json()
    {
        var manifest = Sample();
        var parsed = Manifest.Parse(manifest.ToUtf8Json(), "manifest.json");

        Assert.Equal(1, parsed.FormatVersion);
        Assert.Equal("movielens", parsed.ModelName);
        Assert.Equal(3, parsed.Version);
        Assert.Equal(manifest.CreatedAt, parsed.CreatedAt);
        Assert.Equal(TimeSpan.Zero, parsed.CreatedAt.Offset);
        Assert.Equal(new DatasetInfo("ml-100k", "sha256:abc"), parsed.Dataset);
        Assert.Equal(["mf", "neural"], parsed.Models.Select(m => m.Kind));
        Assert.Equal("64,32", parsed.FindModel("neural")!.Property("hiddenSizes"));
        Assert.Equal("20", parsed.FindModel("neural")!.Property("embeddingDim"));
        Assert.Equal("15", parsed.FindModel("mf")!.Property("factors"));
        Assert.Equal("0.01", parsed.HyperParameters["lr"]);
        Assert.Equal(0.9123, parsed.Metrics["rmse"]);
        Assert.True(double.IsNaN(parsed.Metrics["nan"]));
        Assert.Equal(new string('b', 64), parsed.IdMapFingerprint);
        Assert.Equal(["ids.safetensors", "mf.safetensors", "neural.onnx"], parsed.Files.Select(f => f.Name));
        Assert.Equal(manifest.ToJson(), parsed.ToJson());
    }

    [Fact]
    public void Json_is_camel_case_sorted_and_utc()
    {
        var json = Sample().ToJson();
        Assert.Contains("\"formatVersion\": 1", json, StringComparison.Ordinal);
        Assert.Contains("\"createdAt\": \"2026-11-27T02:05:06.789Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"idMapFingerprint\"", json, StringComparison.Ordinal);
        AssertBefore(json, "\"epochs\"", "\"lr\"");
        AssertBefore(json, "\"mae\"", "\"rmse\"");
        AssertBefore(json, "\"name\": \"ids.safetensors\"", "\"name\": \"neural.onnx\"");
    }

    [Fact]
    public void Created_at_with_an_offset_is_read_as_the_same_instant_in_utc()
    {
        var json = Sample().ToJson().Replace("2026-11-27T02:05:06.789Z", "2026-11-27T04:05:06.789+02:00", StringComparison.Ordinal);
        var parsed = Manifest.Parse(Encoding.UTF8.GetBytes(json), "m.json");
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 2, 5, 6, 789, TimeSpan.Zero), parsed.CreatedAt);
        Assert.Equal(TimeSpan.Zero, parsed.CreatedAt.Offset);
    }

    private static void AssertBefore(string text, string first, string second)
    {
        var a = text.IndexOf(first, StringComparison.Ordinal);
        var b = text.IndexOf(second, StringComparison.Ordinal);
        Assert.True(a >= 0 && b > a, $"expected {first} before {second} in {text}");
    }

    [Fact]
    public void Unsupported_format_version_and_missing_fields_are_refused()
    {
        var json = Encoding.UTF8.GetString(Sample().ToUtf8Json());
        var future = json.Replace("\"formatVersion\": 1", "\"formatVersion\": 2", StringComparison.Ordinal);
        var e = Assert.Throws<ArtifactFormatException>(() => Manifest.Parse(Encoding.UTF8.GetBytes(future), "/x/manifest.json"));
        Assert.Contains("format version 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("/x/manifest.json", e.Message, StringComparison.Ordinal);

        var noFiles = json[..json.IndexOf(",\n  \"files\"", StringComparison.Ordinal)] + "\n}";
        Assert.Throws<ArtifactFormatException>(() => Manifest.Parse(Encoding.UTF8.GetBytes(noFiles), "m.json"));
        Assert.Throws<ArtifactFormatException>(() => Manifest.Parse("{"u8, "m.json"));
    }

    [Fact]
    public void Path_escaping_file_names_and_unlisted_model_files_are_refused()
    {
        var json = Sample().ToJson().Replace("\"neural.onnx\"", "\"../evil.onnx\"", StringComparison.Ordinal);
        Assert.Throws<ArtifactFormatException>(() => Manifest.Parse(Encoding.UTF8.GetBytes(json), "m.json"));

        Assert.Throws<ArgumentException>(() => new Manifest("m", 1, ArtifactSamples.Epoch, new DatasetInfo("d", "f"),
            [ModelEntry.Mf("mf.safetensors", "seed", 2)], null, null, "", []));
    }

    [Theory]
    [InlineData("movielens", true)]
    [InlineData("ml-100k_v2.mf", true)]
    [InlineData("0", true)]
    [InlineData("", false)]
    [InlineData(".staging-x", false)]
    [InlineData("Movielens", false)]
    [InlineData("a/b", false)]
    [InlineData("..", false)]
    [InlineData("-a", false)]
    public void Model_names_follow_the_rule(string name, bool valid)
    {
        Assert.Equal(valid, ModelNames.IsValid(name));
        Assert.False(ModelNames.IsValid(new string('a', 65)));
        Assert.True(ModelNames.IsValid(new string('a', 64)));
    }

    [Theory]
    [InlineData("mf.safetensors", true)]
    [InlineData("neural.onnx", true)]
    [InlineData("../x", false)]
    [InlineData("a/b", false)]
    [InlineData("a\\b", false)]
    [InlineData(".hidden", false)]
    [InlineData("a..b", false)]
    [InlineData("", false)]
    public void File_names_are_single_safe_segments(string name, bool valid) =>
        Assert.Equal(valid, ArtifactFileNames.IsValid(name));
}
