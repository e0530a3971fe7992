using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recommender.Models.Repository;

/// <summary>
/// <c>manifest.json</c>: what a version is (name, number, creation time, data it came from, models,
/// hyper-parameters, metrics) and the size and SHA-256 of every other file in it, so a loader can
/// refuse a damaged version before serving from it. Serialized camelCase with every collection
/// sorted, so the same content always gives the same bytes.
/// </summary>
public sealed class Manifest
{
    public const int CurrentFormatVersion = 1;

    public Manifest(
        string modelName,
        long version,
        DateTimeOffset createdAt,
        DatasetInfo dataset,
        IEnumerable<ModelEntry> models,
        IReadOnlyDictionary<string, string>? hyperParameters,
        IReadOnlyDictionary<string, double>? metrics,
        string idMapFingerprint,
        IEnumerable<ManifestFile> files)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(idMapFingerprint);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        ModelName = ModelNames.Validate(modelName, nameof(modelName));
        Version = version;
        CreatedAt = createdAt.ToUniversalTime();
        Dataset = dataset;
        HyperParameters = new SortedDictionary<string, string>(
            hyperParameters?.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) ?? [], StringComparer.Ordinal);
        Metrics = new SortedDictionary<string, double>(
            metrics?.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) ?? [], StringComparer.Ordinal);
        IdMapFingerprint = idMapFingerprint;

        var fileList = files.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        for (var i = 0; i < fileList.Count; i++)
        {
            var f = fileList[i];
            ArtifactFileNames.Validate(f.Name, nameof(files));
            if (f.Name == ArtifactFileNames.Manifest)
            {
                throw new ArgumentException("The manifest cannot list itself.", nameof(files));
            }

            if (i > 0 && fileList[i - 1].Name == f.Name)
            {
                throw new ArgumentException($"File '{f.Name}' is listed twice.", nameof(files));
            }

            if (f.Size < 0 || f.Sha256.Length != 64 || !f.Sha256.All(char.IsAsciiHexDigitLower))
            {
                throw new ArgumentException($"File '{f.Name}' needs a non-negative size and a lower-case hex SHA-256.", nameof(files));
            }
        }

        Files = fileList;
        Models = [.. models.OrderBy(m => m.Kind, StringComparer.Ordinal).ThenBy(m => m.File, StringComparer.Ordinal)];
        foreach (var model in Models)
        {
            if (FindFile(model.File) is null)
            {
                throw new ArgumentException($"Model '{model.Kind}' refers to '{model.File}', which is not among the files.", nameof(models));
            }
        }
    }

    public int FormatVersion => CurrentFormatVersion;

    public string ModelName { get; }

    public long Version { get; }

    /// <summary>UTC.</summary>
    public DateTimeOffset CreatedAt { get; }

    public DatasetInfo Dataset { get; }

    /// <summary>Sorted by kind, then file.</summary>
    public IReadOnlyList<ModelEntry> Models { get; }

    public IReadOnlyDictionary<string, string> HyperParameters { get; }

    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>See <see cref="Artifacts.IdMaps.Fingerprint"/>.</summary>
    public string IdMapFingerprint { get; }

    /// <summary>Every file of the version except the manifest, sorted by name.</summary>
    public IReadOnlyList<ManifestFile> Files { get; }

    public ManifestFile? FindFile(string name) => Files.FirstOrDefault(f => f.Name == name);

    /// <summary>The first model of <paramref name="kind"/>, or null.</summary>
    public ModelEntry? FindModel(string kind) => Models.FirstOrDefault(m => m.Kind == kind);

    /// <summary>A copy with another version number (publishers learn the number only at rename time).</summary>
    public Manifest WithVersion(long version) =>
        new(ModelName, version, CreatedAt, Dataset, Models, HyperParameters, Metrics, IdMapFingerprint, Files);

    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(ToDocument(), ManifestJsonContext.Default.ManifestDocument);

    public string ToJson() => JsonSerializer.Serialize(ToDocument(), ManifestJsonContext.Default.ManifestDocument);

    /// <summary>Parses and validates manifest JSON; <paramref name="sourcePath"/> names the file in errors.</summary>
    public static Manifest Parse(ReadOnlySpan<byte> utf8Json, string sourcePath)
    {
        ManifestDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(utf8Json, ManifestJsonContext.Default.ManifestDocument);
        }
        catch (JsonException e)
        {
            throw new ArtifactFormatException(sourcePath, $"corrupt JSON: {e.Message}", e);
        }

        if (document is null)
        {
            throw new ArtifactFormatException(sourcePath, "the manifest is null");
        }

        if (document.FormatVersion != CurrentFormatVersion)
        {
            throw new ArtifactFormatException(sourcePath, $"unsupported manifest format version {document.FormatVersion} (this build reads {CurrentFormatVersion})");
        }

        try
        {
            return new Manifest(
                document.ModelName,
                document.Version,
                AsUtc(document.CreatedAt),
                new DatasetInfo(document.Dataset.Name, document.Dataset.Fingerprint),
                document.Models.Select(m => new ModelEntry(m.Kind, m.File, m.Properties)),
                document.HyperParameters,
                document.Metrics,
                document.IdMapFingerprint,
                document.Files.Select(f => new ManifestFile(f.Name, f.Size, f.Sha256)));
        }
        catch (ArgumentException e)
        {
            throw new ArtifactFormatException(sourcePath, e.Message, e);
        }
    }

    // We write "…Z"; a hand-edited time with an offset arrives as local time and one without any
    // zone as unspecified, which we read as UTC rather than as this machine's zone.
    private static DateTimeOffset AsUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Unspecified => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        _ => new DateTimeOffset(time.ToUniversalTime()),
    };

    public static Manifest Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ArtifactFormatException(path, "the manifest does not exist", e);
        }

        return Parse(bytes, path);
    }

    /// <summary>Writes the manifest and flushes it to disk.</summary>
    public void Save(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write(ToUtf8Json());
        stream.Flush(flushToDisk: true);
    }

    private ManifestDocument ToDocument() => new()
    {
        FormatVersion = FormatVersion,
        ModelName = ModelName,
        Version = Version,
        CreatedAt = CreatedAt.UtcDateTime,
        Dataset = new DatasetDocument { Name = Dataset.Name, Fingerprint = Dataset.Fingerprint },
        Models = [.. Models.Select(m => new ModelDocument { Kind = m.Kind, File = m.File, Properties = m.Properties })],
        HyperParameters = HyperParameters,
        Metrics = Metrics,
        IdMapFingerprint = IdMapFingerprint,
        Files = [.. Files.Select(f => new FileDocument { Name = f.Name, Size = f.Size, Sha256 = f.Sha256 })],
    };
}

// The wire shape of manifest.json, kept apart from the domain type so the JSON can stay plain
// while Manifest enforces its invariants in one constructor.
internal sealed class ManifestDocument
{
    public required int FormatVersion { get; init; }

    public required string ModelName { get; init; }

    public required long Version { get; init; }

    public required DateTime CreatedAt { get; init; }

    public required DatasetDocument Dataset { get; init; }

    public required IReadOnlyList<ModelDocument> Models { get; init; }

    public required IReadOnlyDictionary<string, string> HyperParameters { get; init; }

    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    public required string IdMapFingerprint { get; init; }

    public required IReadOnlyList<FileDocument> Files { get; init; }
}

internal sealed class DatasetDocument
{
    public required string Name { get; init; }

    public required string Fingerprint { get; init; }
}

internal sealed class ModelDocument
{
    public required string Kind { get; init; }

    public required string File { get; init; }

    public required IReadOnlyDictionary<string, string> Properties { get; init; }
}

internal sealed class FileDocument
{
    public required string Name { get; init; }

    public required long Size { get; init; }

    public required string Sha256 { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ManifestDocument))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
