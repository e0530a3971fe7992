using Recommender.Data;
using Recommender.Models.Artifacts;
using Recommender.Models.Mf;

namespace Recommender.Models.Repository;

/// <summary>
/// A verified, loaded model version: everything a server needs to answer from it. Only built by
/// <see cref="ModelRepository.OpenVersion"/> after every checksum and shape has been checked, so
/// holding one means the version is whole. Files the repository does not load itself (the ONNX
/// graphs) are handed out as absolute paths.
/// </summary>
public sealed class ModelVersionBundle
{
    internal ModelVersionBundle(string directoryPath, Manifest manifest, IdMaps idMaps, MfModel? mf, ItemCatalog? catalog, SeenItems? seenItems)
    {
        DirectoryPath = directoryPath;
        Manifest = manifest;
        IdMaps = idMaps;
        Mf = mf;
        Catalog = catalog;
        SeenItems = seenItems;
    }

    /// <summary>Absolute path of the version directory.</summary>
    public string DirectoryPath { get; }

    public Manifest Manifest { get; }

    public string ModelName => Manifest.ModelName;

    public long Version => Manifest.Version;

    public IdMaps IdMaps { get; }

    public IdMap Users => IdMaps.Users;

    public IdMap Items => IdMaps.Items;

    /// <summary>
    /// Users and items with no training rating that a pair graph still has rows for (its entry's
    /// <see cref="ModelEntry.ColdRowsProperty"/>), at index <see cref="Users"/>.Count + k
    /// (<see cref="ColdIndex"/>); null when the version has none.
    /// </summary>
    public IdMaps? ColdIds { get; internal init; }

    /// <summary>The MF model when the version has one.</summary>
    public MfModel? Mf { get; }

    public ItemCatalog? Catalog { get; }

    public SeenItems? SeenItems { get; }

    /// <summary>Absolute path of a file listed in the manifest.</summary>
    public string PathOf(string fileName) =>
        Manifest.FindFile(fileName) is not null
            ? Path.Combine(DirectoryPath, fileName)
            : throw new KeyNotFoundException($"Version {Version} of '{ModelName}' lists no file '{fileName}'.");

    /// <summary>Absolute path of the first model of <paramref name="kind"/> (e.g. "neural"), or null.</summary>
    public string? ModelPath(string kind) =>
        Manifest.FindModel(kind) is { } entry ? Path.Combine(DirectoryPath, entry.File) : null;
}
