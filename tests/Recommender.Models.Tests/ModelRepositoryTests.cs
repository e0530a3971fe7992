using Recommender.Models.Artifacts;
using Recommender.Models.Mf;
using Recommender.Models.Repository;

namespace Recommender.Models.Tests;

public sealed class ModelRepositoryTests : IDisposable
{
    private readonly ArtifactTempDirectory _dir = new();
    private readonly ArtifactTestClock _time = new(ArtifactSamples.Epoch);
    private readonly ModelRepository _repo;

    public ModelRepositoryTests() => _repo = new ModelRepository(_dir.Path, _time);

    public void Dispose() => _dir.Dispose();

    private static readonly DatasetInfo Dataset = new("ml-100k", "fp-123");

    private Manifest Publish(string name = "movielens", bool biased = true, int users = 9, int items = 13, int factors = 4)
    {
        using var draft = _repo.BeginPublish(name);
        var maps = ArtifactSamples.IdMaps(users, items);
        draft.AddIdMaps(maps);
        draft.AddMfModel(ArtifactSamples.Mf(users, items, factors, biased));
        draft.AddCatalog(ArtifactSamples.Catalog(maps, extra: 3));
        draft.AddSeenItems(SeenItems.FromRatings(ArtifactSamples.Ratings(users, items, 40)));
        File.WriteAllBytes(draft.PathFor("neural.onnx"), [1, 2, 3, 4, 5]);
        draft.AddModel(ModelEntry.Neural("neural.onnx", 20, [64, 32]));
        return draft.Commit(Dataset, new Dictionary<string, string> { ["lr"] = "0.01" }, new Dictionary<string, double> { ["rmse"] = 0.93 });
    }

    [Fact]
    public void Publish_then_open_round_trips_every_artifact()
    {
        var manifest = Publish();
        Assert.Equal(1, manifest.Version);

        var bundle = _repo.OpenVersion("movielens", 1);
        Assert.Equal("movielens", bundle.ModelName);
        Assert.Equal(1, bundle.Version);
        Assert.Equal(ArtifactSamples.Epoch, bundle.Manifest.CreatedAt);
        Assert.Equal(Dataset, bundle.Manifest.Dataset);
        Assert.Equal("0.01", bundle.Manifest.HyperParameters["lr"]);
        Assert.Equal(0.93, bundle.Manifest.Metrics["rmse"]);

        var expectedMaps = ArtifactSamples.IdMaps(9, 13);
        Assert.Equal(expectedMaps.Users.ExternalIds, bundle.Users.ExternalIds);
        Assert.Equal(expectedMaps.Items.ExternalIds, bundle.Items.ExternalIds);
        Assert.Equal(expectedMaps.Fingerprint(), bundle.Manifest.IdMapFingerprint);

        var mf = Assert.IsType<MfModel>(bundle.Mf);
        var expectedMf = ArtifactSamples.Mf(9, 13, 4, biased: true);
        Assert.Equal(expectedMf.UserFactors, mf.UserFactors);
        Assert.Equal(expectedMf.Biases!.Item, mf.Biases!.Item);
        Assert.Equal("biased", bundle.Manifest.FindModel("mf")!.Property("variant"));

        Assert.Equal(13 + 3, bundle.Catalog!.Count);
        Assert.True(bundle.Catalog.Contains(900_002)); // in the catalog, not in the id map
        Assert.False(bundle.Items.TryGetIndex(900_002, out _));

        var expectedSeen = SeenItems.FromRatings(ArtifactSamples.Ratings(9, 13, 40));
        Assert.Equal(expectedSeen.Items.ToArray(), bundle.SeenItems!.Items.ToArray());

        var onnx = bundle.ModelPath("neural");
        Assert.Equal(Path.Combine(_repo.VersionPath("movielens", 1), "neural.onnx"), onnx);
        Assert.Equal([1, 2, 3, 4, 5], File.ReadAllBytes(onnx!));
        Assert.Equal(
            ["catalog.json", "ids.safetensors", "mf.safetensors", "neural.onnx", "seen.safetensors"],
            bundle.Manifest.Files.Select(f => f.Name));
        Assert.Equal(new FileInfo(bundle.PathOf("mf.safetensors")).Length, bundle.Manifest.FindFile("mf.safetensors")!.Size);
    }

    [Fact]
    public void Versions_count_up_and_listing_is_sorted()
    {
        Publish();
        Publish(biased: false);
        Publish("other");
        Assert.Equal([1L, 2L], _repo.ListVersions("movielens"));
        Assert.Equal(2, _repo.LatestVersion("movielens"));
        Assert.Equal(["movielens", "other"], _repo.ListModelNames());
        Assert.Null(_repo.OpenLatest("movielens").Mf!.Biases);
        Assert.Null(_repo.LatestVersion("absent"));
        Assert.Empty(_repo.ListVersions("absent"));
    }

    [Fact]
    public void Staging_and_non_integer_directories_are_invisible()
    {
        Publish();
        var modelDir = Path.GetDirectoryName(_repo.VersionPath("movielens", 1))!;
        Directory.CreateDirectory(Path.Combine(modelDir, "007"));
        Directory.CreateDirectory(Path.Combine(modelDir, "latest"));
        Directory.CreateDirectory(Path.Combine(modelDir, "-3"));
        Directory.CreateDirectory(Path.Combine(_dir.Path, ".hidden"));
        Directory.CreateDirectory(Path.Combine(_dir.Path, "Upper"));

        using var draft = _repo.BeginPublish("movielens");
        draft.AddIdMaps(ArtifactSamples.IdMaps(2, 2));
        Assert.True(Directory.Exists(draft.StagingPath));
        Assert.StartsWith(Path.Combine(modelDir, ".staging-"), draft.StagingPath, StringComparison.Ordinal);

        Assert.Equal([1L], _repo.ListVersions("movielens"));
        Assert.Equal(["movielens"], _repo.ListModelNames());
    }

    [Fact]
    public void Disposing_a_draft_without_commit_leaves_nothing()
    {
        string staging;
        using (var draft = _repo.BeginPublish("movielens"))
        {
            staging = draft.StagingPath;
            draft.AddIdMaps(ArtifactSamples.IdMaps(3, 3));
            draft.AddMfModel(ArtifactSamples.Mf(3, 3, 2, biased: false));
        }

        Assert.False(Directory.Exists(staging));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(staging)!));
        Assert.Empty(_repo.ListVersions("movielens"));
    }

    [Fact]
    public void Concurrent_publishes_get_distinct_versions()
    {
        const int publishers = 6;
        using var start = new Barrier(publishers);
        var drafts = Enumerable.Range(0, publishers).Select(_ =>
        {
            var draft = _repo.BeginPublish("movielens");
            draft.AddIdMaps(ArtifactSamples.IdMaps(4, 5));
            draft.AddMfModel(ArtifactSamples.Mf(4, 5, 3, biased: false));
            return draft;
        }).ToList();

        var versions = new long[publishers];
        Parallel.For(0, publishers, new ParallelOptions { MaxDegreeOfParallelism = publishers }, i =>
        {
            start.SignalAndWait();
            versions[i] = drafts[i].Commit(Dataset).Version;
        });
        drafts.ForEach(d => d.Dispose());

        Assert.Equal(Enumerable.Range(1, publishers).Select(v => (long)v), versions.Order());
        Assert.Equal(Enumerable.Range(1, publishers).Select(v => (long)v), _repo.ListVersions("movielens"));
        foreach (var v in versions)
        {
            Assert.Equal(v, _repo.OpenVersion("movielens", v).Manifest.Version);
        }
    }

    [Fact]
    public void A_flipped_byte_is_refused_with_expected_and_actual_checksums()
    {
        Publish();
        var path = Path.Combine(_repo.VersionPath("movielens", 1), "mf.safetensors");
        var bytes = File.ReadAllBytes(path);
        bytes[^3] ^= 0x01; // inside the tensor data: the safetensors layout is still valid
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ArtifactFormatException>(() => _repo.OpenVersion("movielens", 1));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);
        Assert.Contains(_repo.ReadManifest("movielens", 1).FindFile("mf.safetensors")!.Sha256, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_or_missing_files_are_refused_with_sizes()
    {
        Publish();
        var dir = _repo.VersionPath("movielens", 1);
        var seen = Path.Combine(dir, "seen.safetensors");
        var expectedSize = new FileInfo(seen).Length;
        File.WriteAllBytes(seen, File.ReadAllBytes(seen)[..10]);
        var e = Assert.Throws<ArtifactFormatException>(() => _repo.OpenVersion("movielens", 1));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{expectedSize} bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("seen.safetensors", e.Message, StringComparison.Ordinal);

        Publish();
        File.Delete(Path.Combine(_repo.VersionPath("movielens", 2), "neural.onnx"));
        var missing = Assert.Throws<ArtifactFormatException>(() => _repo.OpenVersion("movielens", 2));
        Assert.Contains("missing", missing.Message, StringComparison.Ordinal);
        Assert.Contains("neural.onnx", missing.Message, StringComparison.Ordinal);

        Publish();
        File.Delete(Path.Combine(_repo.VersionPath("movielens", 3), "manifest.json"));
        Assert.Throws<ArtifactFormatException>(() => _repo.OpenVersion("movielens", 3));
    }

    [Fact]
    public void Unknown_model_or_version_is_not_found()
    {
        Publish();
        var e = Assert.Throws<ModelNotFoundException>(() => _repo.OpenVersion("movielens", 9));
        Assert.Equal(9, e.Version);
        Assert.Throws<ModelNotFoundException>(() => _repo.OpenVersion("absent", 1));
        Assert.Throws<ModelNotFoundException>(() => _repo.OpenLatest("absent"));
        Assert.Throws<ArgumentException>(() => _repo.OpenVersion("../etc", 1));
    }

    [Fact]
    public void Commit_refuses_shapes_that_disagree_with_the_id_maps()
    {
        using var draft = _repo.BeginPublish("movielens");
        draft.AddIdMaps(ArtifactSamples.IdMaps(5, 6));
        draft.AddMfModel(ArtifactSamples.Mf(5, 7, 2, biased: false));
        var e = Assert.Throws<ArtifactFormatException>(() => draft.Commit(Dataset));
        Assert.Contains("5 users x 7 items", e.Message, StringComparison.Ordinal);
        Assert.Contains("5 x 6", e.Message, StringComparison.Ordinal);
        Assert.Empty(_repo.ListVersions("movielens"));
    }

    [Fact]
    public void Cold_ids_round_trip_and_must_not_repeat_an_id_of_the_maps()
    {
        using (var draft = _repo.BeginPublish("movielens"))
        {
            var maps = ArtifactSamples.IdMaps(5, 6);
            draft.AddIdMaps(maps);
            draft.AddColdIds(new IdMaps(Data.IdMap.FromExternalIds([77]), Data.IdMap.FromExternalIds([4, 9])));
            draft.Commit(Dataset);
        }

        var cold = _repo.OpenVersion("movielens", 1).ColdIds!;
        Assert.Equal([77], cold.Users.ExternalIds);
        Assert.Equal([4, 9], cold.Items.ExternalIds);
        var plain = Publish("plain");
        Assert.Null(_repo.OpenVersion("plain", plain.Version).ColdIds);

        using var bad = _repo.BeginPublish("movielens");
        var badMaps = ArtifactSamples.IdMaps(5, 6);
        bad.AddIdMaps(badMaps);
        bad.AddColdIds(new IdMaps(Data.IdMap.FromExternalIds([]), Data.IdMap.FromExternalIds([badMaps.Items.ExternalId(2)])));
        var e = Assert.Throws<ArtifactFormatException>(() => bad.Commit(Dataset));
        Assert.Contains($"cold item {badMaps.Items.ExternalId(2)} is also in the id maps", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Swapped_id_maps_after_publish_are_refused_by_fingerprint()
    {
        Publish();
        var ids = Path.Combine(_repo.VersionPath("movielens", 1), "ids.safetensors");
        var maps = ArtifactSamples.IdMaps(9, 13);
        var shuffled = new IdMaps(Recommender.Data.IdMap.FromExternalIds([.. maps.Users.ExternalIds.Reverse()]), maps.Items);
        IdMapFile.Save(shuffled, ids);
        // Re-list the new checksum so only the fingerprint can catch the change.
        var manifestPath = Path.Combine(_repo.VersionPath("movielens", 1), "manifest.json");
        var manifest = Manifest.Load(manifestPath);
        var digest = Recommender.Models.Repository.FileDigest.Compute(ids, flushToDisk: false);
        new Manifest(manifest.ModelName, manifest.Version, manifest.CreatedAt, manifest.Dataset, manifest.Models,
            manifest.HyperParameters, manifest.Metrics, manifest.IdMapFingerprint,
            manifest.Files.Select(f => f.Name == "ids.safetensors" ? digest : f)).Save(manifestPath);

        var e = Assert.Throws<ArtifactFormatException>(() => _repo.OpenVersion("movielens", 1));
        Assert.Contains("fingerprint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Draft_validates_file_names_and_requires_id_maps()
    {
        using var draft = _repo.BeginPublish("movielens");
        Assert.Throws<ArgumentException>(() => draft.PathFor("../escape"));
        Assert.Throws<ArgumentException>(() => draft.PathFor("sub/file"));
        Assert.Throws<ArgumentException>(() => draft.PathFor("manifest.json"));
        Assert.Throws<InvalidOperationException>(() => draft.Commit(Dataset));
        Assert.Throws<ArgumentException>(() => _repo.BeginPublish("Bad Name"));
    }

    [Fact]
    public void Committed_draft_is_sealed_and_dispose_keeps_the_version()
    {
        var draft = _repo.BeginPublish("movielens");
        draft.AddIdMaps(ArtifactSamples.IdMaps(2, 2));
        var manifest = draft.Commit(Dataset);
        draft.Dispose();
        Assert.Same(manifest, draft.Committed);
        Assert.Throws<ObjectDisposedException>(() => draft.PathFor("x.bin"));
        Assert.Equal([1L], _repo.ListVersions("movielens"));
        Assert.False(Directory.Exists(draft.StagingPath));
        Assert.Null(_repo.OpenVersion("movielens", 1).Mf);
    }

    [Fact]
    public void Clean_stale_staging_removes_only_old_drafts()
    {
        Publish();
        var old = _repo.BeginPublish("movielens");
        Directory.SetLastWriteTimeUtc(old.StagingPath, ArtifactSamples.Epoch.UtcDateTime.AddHours(-3));
        var fresh = _repo.BeginPublish("movielens");
        Directory.SetLastWriteTimeUtc(fresh.StagingPath, ArtifactSamples.Epoch.UtcDateTime.AddMinutes(-5));

        Assert.Equal(1, _repo.CleanStaleStaging(TimeSpan.FromHours(1)));
        Assert.False(Directory.Exists(old.StagingPath));
        Assert.True(Directory.Exists(fresh.StagingPath));
        Assert.Equal([1L], _repo.ListVersions("movielens"));

        _time.Now = ArtifactSamples.Epoch.AddHours(2);
        Assert.Equal(1, _repo.CleanStaleStaging(TimeSpan.FromHours(1)));
        Assert.False(Directory.Exists(fresh.StagingPath));
        old.Dispose();
        fresh.Dispose();
    }

    [Fact]
    public void Manifest_in_the_wrong_directory_is_refused()
    {
        Publish();
        Publish();
        var v1 = _repo.VersionPath("movielens", 1);
        var v2 = _repo.VersionPath("movielens", 2);
        File.Copy(Path.Combine(v2, "manifest.json"), Path.Combine(v1, "manifest.json"), overwrite: true);
        var e = Assert.Throws<ArtifactFormatException>(() => _repo.OpenVersion("movielens", 1));
        Assert.Contains("version 2", e.Message, StringComparison.Ordinal);
    }
}
