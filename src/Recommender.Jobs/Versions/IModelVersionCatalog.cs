using Recommender.Models.Repository;

namespace Recommender.Jobs.Versions;

/// <summary>
/// Read access to the published versions, as a front end (the trainer's gRPC service) uses it.
/// Failures are domain exceptions: <see cref="ModelNotFoundException"/>, <see cref="Models.ArtifactFormatException"/>,
/// <see cref="ArgumentException"/> for an invalid name or version.
/// </summary>
public interface IModelVersionCatalog
{
    /// <summary>Every version of <paramref name="modelName"/> (or of every model when empty), by name then version.</summary>
    IReadOnlyList<Manifest> List(string? modelName);

    /// <summary>The manifest of a version; 0 means the latest.</summary>
    Manifest Find(string modelName, long version);

    /// <summary>As <see cref="Find"/>, but null when the version cannot be read.</summary>
    Manifest? TryFind(string modelName, long version);

    /// <summary>Each file the manifest lists, in its order, in chunks of at most <paramref name="chunkBytes"/>.</summary>
    IAsyncEnumerable<VersionFileChunk> ReadFilesAsync(Manifest manifest, int chunkBytes = ModelVersionCatalog.DefaultChunkBytes,
        CancellationToken cancellationToken = default);
}
