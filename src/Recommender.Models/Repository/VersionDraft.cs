using Recommender.Models.Artifacts;
using Recommender.Models.Mf;

namespace Recommender.Models.Repository;

/// <summary>
/// A version being written. Files go into a hidden staging sibling of the version directories
/// (<c>&lt;root&gt;/&lt;name&gt;/.staging-&lt;guid&gt;/</c>), which no reader lists; <see cref="Commit"/>
/// checksums and fsyncs everything, writes the manifest and renames the directory to the next
/// version number in one step, so readers see either no version or a whole one. Disposing without
/// committing deletes the staging directory. Not thread-safe: one publisher per draft.
/// </summary>
public sealed class VersionDraft : IDisposable
{
    private const int MaxRenameAttempts = 1000;

    private readonly ModelRepository _repository;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, ModelEntry> _models = new(StringComparer.Ordinal);
    private bool _done;

    internal VersionDraft(ModelRepository repository, string modelName, string stagingPath, TimeProvider timeProvider)
    {
        _repository = repository;
        ModelName = modelName;
        StagingPath = stagingPath;
        _timeProvider = timeProvider;
    }

    public string ModelName { get; }

    /// <summary>Absolute path of the staging directory.</summary>
    public string StagingPath { get; }

    /// <summary>The committed manifest, once <see cref="Commit"/> has succeeded.</summary>
    public Manifest? Committed { get; private set; }

    /// <summary>
    /// Where to write <paramref name="fileName"/> (validated: one segment, not <c>manifest.json</c>).
    /// Every file in the staging directory at commit time becomes part of the version.
    /// </summary>
    public string PathFor(string fileName)
    {
        ThrowIfDone();
        ArtifactFileNames.Validate(fileName, nameof(fileName));
        if (fileName == ArtifactFileNames.Manifest)
        {
            throw new ArgumentException("manifest.json is written by Commit.", nameof(fileName));
        }

        return Path.Combine(StagingPath, fileName);
    }

    /// <summary>Writes the factor file and lists it as the <c>mf</c> model.</summary>
    public void AddMfModel(MfModel model, string fileName = ArtifactFileNames.MfFactors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        MfFactorFile.Save(model, PathFor(fileName), metadata);
        AddModel(ModelEntry.Mf(fileName, MfFactorFile.VariantOf(model), model.Factors));
    }

    /// <summary>Writes <c>ids.safetensors</c> (required in every version).</summary>
    public void AddIdMaps(IdMaps maps) => IdMapFile.Save(maps, PathFor(ArtifactFileNames.IdMaps));

    /// <summary>Writes <c>cold_ids.safetensors</c>: users and items a model has feature-only rows for (disjoint from the id maps).</summary>
    public void AddColdIds(IdMaps cold) => IdMapFile.Save(cold, PathFor(ArtifactFileNames.ColdIds));

    /// <summary>Writes <c>catalog.json</c>.</summary>
    public void AddCatalog(ItemCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Save(PathFor(ArtifactFileNames.Catalog));
    }

    /// <summary>Writes <c>seen.safetensors</c>.</summary>
    public void AddSeenItems(SeenItems seen) => SeenItemsFile.Save(seen, PathFor(ArtifactFileNames.SeenItems));

    /// <summary>Copies an existing file (e.g. an ONNX graph written elsewhere) into the draft.</summary>
    public void AddFile(string fileName, string sourcePath) => File.Copy(sourcePath, PathFor(fileName), overwrite: true);

    /// <summary>
    /// Lists a model whose file is (or will be, before commit) at <c>PathFor(entry.File)</c>; a later
    /// entry for the same file replaces an earlier one.
    /// </summary>
    public void AddModel(ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ThrowIfDone();
        _models[entry.File] = entry;
    }

    /// <summary>The number the next commit would claim now (files that embed their version use it with requiredVersion).</summary>
    public long NextVersion => (_repository.LatestVersion(ModelName) ?? 0) + 1;

    /// <summary>
    /// Seals the draft as the next version of the model and returns its manifest. Checks the draft
    /// opens (shapes agree with the id maps) before anything becomes visible. With
    /// <paramref name="requiredVersion"/>, only that number is claimed (for drafts whose files
    /// embed it, such as ONNX metadata); if another publisher took it, the commit fails.
    /// </summary>
    public Manifest Commit(DatasetInfo dataset, IReadOnlyDictionary<string, string>? hyperParameters = null,
        IReadOnlyDictionary<string, double>? metrics = null, long? requiredVersion = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ThrowIfDone();
        if (Directory.EnumerateDirectories(StagingPath).Any())
        {
            throw new InvalidOperationException($"The draft '{StagingPath}' holds sub-directories; a version is a flat set of files.");
        }

        if (!File.Exists(Path.Combine(StagingPath, ArtifactFileNames.IdMaps)))
        {
            throw new InvalidOperationException("A version needs id maps: call AddIdMaps before Commit.");
        }

        var files = new List<ManifestFile>();
        foreach (var path in Directory.EnumerateFiles(StagingPath))
        {
            var name = Path.GetFileName(path);
            if (name == ArtifactFileNames.Manifest)
            {
                continue;
            }

            if (!ArtifactFileNames.IsValid(name))
            {
                throw new InvalidOperationException($"The draft holds '{name}', which is not a valid artifact file name.");
            }

            files.Add(FileDigest.Compute(path, flushToDisk: true));
        }

        var idMaps = IdMapFile.Load(Path.Combine(StagingPath, ArtifactFileNames.IdMaps));
        var manifest = new Manifest(ModelName, 1, _timeProvider.GetUtcNow(), dataset, _models.Values, hyperParameters, metrics,
            idMaps.Fingerprint(), files);

        // Same checks as open (minus re-hashing what we just hashed): a version that commits opens.
        VersionLoader.Load(StagingPath, manifest, verifyChecksums: false);

        var modelDirectory = Path.GetDirectoryName(StagingPath)!;
        for (var attempt = 0; attempt < MaxRenameAttempts; attempt++)
        {
            var candidate = NextVersion;
            if (requiredVersion is { } required && candidate != required)
            {
                throw new IOException($"Version {required} of '{ModelName}' was claimed by another publisher (next free: {candidate}).");
            }

            manifest = manifest.WithVersion(candidate);
            manifest.Save(Path.Combine(StagingPath, ArtifactFileNames.Manifest));
            DirectorySync.Flush(StagingPath);
            var target = Path.Combine(modelDirectory, ModelRepository.VersionDirectoryName(candidate));
            try
            {
                Directory.Move(StagingPath, target);
            }
            catch (IOException) when (Directory.Exists(target) && Directory.Exists(StagingPath))
            {
                // Another publisher took this number between our look and our rename: take the next.
                continue;
            }

            DirectorySync.Flush(modelDirectory);
            _done = true;
            Committed = manifest;
            return manifest;
        }

        throw new IOException($"Could not claim a version number for '{ModelName}' after {MaxRenameAttempts} attempts.");
    }

    /// <summary>Deletes the staging directory unless the draft was committed.</summary>
    public void Dispose()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        try
        {
            Directory.Delete(StagingPath, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: nothing to clean.
        }
        catch (IOException)
        {
            // Dispose must not throw; CleanStaleStaging removes what is left after a failure here.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    private void ThrowIfDone() => ObjectDisposedException.ThrowIf(_done, this);
}
