using System.Globalization;
using Recommender.Models.Artifacts;
using Recommender.Models.Mf;

namespace Recommender.Models.Repository;

/// <summary>
/// Verifies a version directory against its manifest and loads the artifacts the repository
/// understands. Shared by open and publish, so a version that commits is one that opens.
/// </summary>
internal static class VersionLoader
{
    public static ModelVersionBundle Load(string directory, Manifest manifest, bool verifyChecksums)
    {
        if (verifyChecksums)
        {
            foreach (var file in manifest.Files)
            {
                Verify(Path.Combine(directory, file.Name), file);
            }
        }

        var idsPath = Path.Combine(directory, ArtifactFileNames.IdMaps);
        if (manifest.FindFile(ArtifactFileNames.IdMaps) is null)
        {
            throw new ArtifactFormatException(idsPath, "every version needs id maps, and the manifest lists none");
        }

        var idMaps = IdMapFile.Load(idsPath);
        var fingerprint = idMaps.Fingerprint();
        if (fingerprint != manifest.IdMapFingerprint)
        {
            throw new ArtifactFormatException(idsPath, $"id-map fingerprint is {fingerprint}; the manifest expects {manifest.IdMapFingerprint}");
        }

        IdMaps? coldIds = null;
        if (manifest.FindFile(ArtifactFileNames.ColdIds) is not null)
        {
            var coldPath = Path.Combine(directory, ArtifactFileNames.ColdIds);
            coldIds = IdMapFile.Load(coldPath);
            ExpectDisjoint(coldPath, "user", coldIds.Users, idMaps.Users);
            ExpectDisjoint(coldPath, "item", coldIds.Items, idMaps.Items);
        }

        MfModel? mf = null;
        if (manifest.FindModel(ModelEntry.MfKind) is { } mfEntry)
        {
            var mfPath = Path.Combine(directory, mfEntry.File);
            mf = MfFactorFile.Load(mfPath);
            ExpectCounts(mfPath, "factor file", mf.UserCount, mf.ItemCount, idMaps);
            var factors = mf.Factors.ToString(CultureInfo.InvariantCulture);
            if (mfEntry.Property("factors") is { } listedFactors && listedFactors != factors)
            {
                throw new ArtifactFormatException(mfPath, $"holds {factors} factors; the manifest says {listedFactors}");
            }

            if (mfEntry.Property("variant") is { } listedVariant && listedVariant != MfFactorFile.VariantOf(mf))
            {
                throw new ArtifactFormatException(mfPath, $"is the {MfFactorFile.VariantOf(mf)} variant; the manifest says {listedVariant}");
            }
        }

        ItemCatalog? catalog = null;
        if (manifest.FindFile(ArtifactFileNames.Catalog) is not null)
        {
            catalog = ItemCatalog.Load(Path.Combine(directory, ArtifactFileNames.Catalog));
        }

        SeenItems? seen = null;
        if (manifest.FindFile(ArtifactFileNames.SeenItems) is not null)
        {
            var seenPath = Path.Combine(directory, ArtifactFileNames.SeenItems);
            seen = SeenItemsFile.Load(seenPath);
            ExpectCounts(seenPath, "seen-items index", seen.UserCount, seen.ItemCount, idMaps);
        }

        return new ModelVersionBundle(directory, manifest, idMaps, mf, catalog, seen) { ColdIds = coldIds };
    }

    /// <summary>Size, then SHA-256, of one listed file; the message says expected versus actual.</summary>
    public static void Verify(string path, ManifestFile expected)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ArtifactFormatException(path, $"missing: the manifest lists it with {expected.Size} bytes");
        }

        if (info.Length != expected.Size)
        {
            var what = info.Length < expected.Size ? "truncated" : "altered";
            throw new ArtifactFormatException(path, $"{what}: the manifest says {expected.Size} bytes, the file has {info.Length}");
        }

        var actual = FileDigest.Compute(path, flushToDisk: false);
        if (actual.Sha256 != expected.Sha256)
        {
            throw new ArtifactFormatException(path, $"corrupt: SHA-256 is {actual.Sha256}; the manifest says {expected.Sha256}");
        }
    }

    /// <summary>A cold id is one without a row in the id maps: one in both would have two indices.</summary>
    private static void ExpectDisjoint(string path, string what, Data.IdMap cold, Data.IdMap warm)
    {
        foreach (var id in cold.ExternalIds)
        {
            if (warm.TryGetIndex(id, out _))
            {
                throw new ArtifactFormatException(path, $"cold {what} {id} is also in the id maps");
            }
        }
    }

    private static void ExpectCounts(string path, string what, int users, int items, IdMaps idMaps)
    {
        if (users != idMaps.Users.Count || items != idMaps.Items.Count)
        {
            throw new ArtifactFormatException(path,
                $"the {what} covers {users} users x {items} items; the id maps have {idMaps.Users.Count} x {idMaps.Items.Count}");
        }
    }
}
