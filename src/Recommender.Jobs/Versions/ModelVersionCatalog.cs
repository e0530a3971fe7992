using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Recommender.Models;
using Recommender.Models.Repository;

namespace Recommender.Jobs.Versions;

/// <summary>
/// Read access to the published versions: listings from their manifests, and a version's files
/// in chunks for inference services that pull instead of sharing a volume.
/// </summary>
public sealed partial class ModelVersionCatalog(ModelRepository repository, ILogger<ModelVersionCatalog> logger) : IModelVersionCatalog
{
    public const int DefaultChunkBytes = 1 << 20;

    /// <summary>Every version of <paramref name="modelName"/> (or of every model when empty), by name then version.</summary>
    public IReadOnlyList<Manifest> List(string? modelName)
    {
        var names = string.IsNullOrEmpty(modelName) ? repository.ListModelNames() : [ModelNames.Validate(modelName, "model_name")];
        var manifests = new List<Manifest>();
        foreach (var name in names)
        {
            foreach (var version in repository.ListVersions(name))
            {
                try
                {
                    manifests.Add(repository.ReadManifest(name, version));
                }
                catch (Exception ex) when (ex is ArtifactFormatException or IOException or ModelNotFoundException)
                {
                    // A damaged or concurrently deleted version is left out of the listing, not fatal to it.
                    LogUnreadable(logger, name, version, ex.Message);
                }
            }
        }

        return manifests;
    }

    /// <summary>The manifest of a version; 0 means the latest. <see cref="ModelNotFoundException"/> when absent.</summary>
    public Manifest Find(string modelName, long version)
    {
        var name = ModelNames.Validate(modelName, "model_name");
        if (version < 0)
        {
            throw new ArgumentException($"version: {version} is negative.", nameof(version));
        }

        var resolved = version == 0 ? repository.LatestVersion(name) ?? throw new ModelNotFoundException(name, (long?)null) : version;
        return repository.ReadManifest(name, resolved);
    }

    /// <summary>Manifest reader for events: null when the version cannot be read.</summary>
    public Manifest? TryFind(string modelName, long version)
    {
        try
        {
            return Find(modelName, version);
        }
        catch (Exception ex) when (ex is ArtifactFormatException or IOException or ModelNotFoundException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Each file the manifest lists, in its order, as chunks of at most <paramref name="chunkBytes"/>.</summary>
    public async IAsyncEnumerable<VersionFileChunk> ReadFilesAsync(Manifest manifest, int chunkBytes = DefaultChunkBytes,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        var directory = repository.VersionPath(manifest.ModelName, manifest.Version);
        var buffer = new byte[chunkBytes];
        foreach (var file in manifest.Files)
        {
            var stream = new FileStream(Path.Combine(directory, file.Name), FileMode.Open, FileAccess.Read, FileShare.Read,
                bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                long offset = 0;
                while (true)
                {
                    var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                    var last = offset + read >= file.Size || read < buffer.Length;
                    yield return new VersionFileChunk(file.Name, offset, buffer.AsMemory(0, read), last);
                    offset += read;
                    if (last)
                    {
                        break;
                    }
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Version {Version} of {ModelName} is left out of listings: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string modelName, long version, string reason);
}
