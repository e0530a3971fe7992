using System.Globalization;

namespace Recommender.Models.Repository;

/// <summary>
/// Versioned model directories, TensorFlow Serving / Triton style: <c>&lt;root&gt;/&lt;name&gt;/&lt;version&gt;/</c>
/// with positive integer versions. Publishing goes through <see cref="VersionDraft"/> (stage, fsync,
/// rename); opening verifies every checksum and shape before handing out a
/// <see cref="ModelVersionBundle"/>. Safe to use from several threads and processes: the only
/// shared mutation is the atomic rename.
/// </summary>
public sealed class ModelRepository
{
    /// <summary>Prefix of in-progress publish directories; dot-prefixed so listings skip them.</summary>
    public const string StagingPrefix = ".staging-";

    private readonly TimeProvider _timeProvider;

    public ModelRepository(string rootPath, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        ArgumentNullException.ThrowIfNull(timeProvider);
        RootPath = Path.GetFullPath(rootPath);
        _timeProvider = timeProvider;
    }

    /// <summary>Absolute root directory.</summary>
    public string RootPath { get; }

    /// <summary>Directory names of valid model names under the root, sorted; empty if the root is absent.</summary>
    public IReadOnlyList<string> ListModelNames()
    {
        if (!Directory.Exists(RootPath))
        {
            return [];
        }

        return [.. Directory.EnumerateDirectories(RootPath)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(ModelNames.IsValid)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The committed versions of <paramref name="name"/>, ascending. Only directories named by a
    /// canonical positive integer count (no sign, no leading zeros: "7" and "007" can't both claim
    /// version 7); staging and other dot-directories are ignored.
    /// </summary>
    public IReadOnlyList<long> ListVersions(string name)
    {
        var modelDirectory = ModelPath(name);
        if (!Directory.Exists(modelDirectory))
        {
            return [];
        }

        var versions = new List<long>();
        foreach (var directory in Directory.EnumerateDirectories(modelDirectory))
        {
            if (TryParseVersion(Path.GetFileName(directory), out var version))
            {
                versions.Add(version);
            }
        }

        versions.Sort();
        return versions;
    }

    public long? LatestVersion(string name)
    {
        var versions = ListVersions(name);
        return versions.Count == 0 ? null : versions[^1];
    }

    /// <summary>Absolute path of a version directory (which may not exist).</summary>
    public string VersionPath(string name, long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        return Path.Combine(ModelPath(name), VersionDirectoryName(version));
    }

    /// <summary>Starts a new version of <paramref name="name"/> in a fresh staging directory.</summary>
    public VersionDraft BeginPublish(string name)
    {
        var modelDirectory = ModelPath(name);
        Directory.CreateDirectory(modelDirectory);
        var staging = Path.Combine(modelDirectory, StagingPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        return new VersionDraft(this, name, staging, _timeProvider);
    }

    /// <summary>Reads a version's manifest only (cheap: for listings), without verifying its files.</summary>
    public Manifest ReadManifest(string name, long version)
    {
        var directory = ExistingVersionPath(name, version);
        return CheckedManifest(directory, name, version);
    }

    /// <summary>
    /// Verifies and loads a version. Throws <see cref="ModelNotFoundException"/> when it does not
    /// exist and <see cref="ArtifactFormatException"/> when any file is missing, truncated, corrupt
    /// or inconsistent.
    /// </summary>
    public ModelVersionBundle OpenVersion(string name, long version)
    {
        var directory = ExistingVersionPath(name, version);
        var manifest = CheckedManifest(directory, name, version);
        return VersionLoader.Load(directory, manifest, verifyChecksums: true);
    }

    /// <summary>Opens the highest version; <see cref="ModelNotFoundException"/> when there is none.</summary>
    public ModelVersionBundle OpenLatest(string name) =>
        OpenVersion(name, LatestVersion(name) ?? throw new ModelNotFoundException(name, (long?)null));

    /// <summary>
    /// Deletes staging directories last written more than <paramref name="olderThan"/> ago: what a
    /// crashed publisher leaves. Choose an age well above the longest publish. Returns the count removed.
    /// </summary>
    public int CleanStaleStaging(TimeSpan olderThan)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        var cutoff = _timeProvider.GetUtcNow().UtcDateTime - olderThan;
        var removed = 0;
        foreach (var name in ListModelNames())
        {
            foreach (var staging in Directory.EnumerateDirectories(ModelPath(name), StagingPrefix + "*"))
            {
                try
                {
                    if (Directory.GetLastWriteTimeUtc(staging) < cutoff)
                    {
                        Directory.Delete(staging, recursive: true);
                        removed++;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Committed or removed by its owner meanwhile, or not ours to delete: leave it.
                }
            }
        }

        return removed;
    }

    internal static string VersionDirectoryName(long version) => version.ToString(CultureInfo.InvariantCulture);

    internal static bool TryParseVersion(string? text, out long version)
    {
        version = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 19 || text[0] == '0')
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }

    private string ModelPath(string name) => Path.Combine(RootPath, ModelNames.Validate(name, nameof(name)));

    private string ExistingVersionPath(string name, long version)
    {
        var directory = VersionPath(name, version);
        return Directory.Exists(directory) ? directory : throw new ModelNotFoundException(name, version);
    }

    private static Manifest CheckedManifest(string directory, string name, long version)
    {
        var path = Path.Combine(directory, ArtifactFileNames.Manifest);
        var manifest = Manifest.Load(path);
        if (manifest.ModelName != name || manifest.Version != version)
        {
            throw new ArtifactFormatException(path,
                $"describes '{manifest.ModelName}' version {manifest.Version} but sits in '{name}/{version}'");
        }

        return manifest;
    }
}
