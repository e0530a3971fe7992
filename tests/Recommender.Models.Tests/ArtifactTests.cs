using Recommender.Data;
using Recommender.Models.Artifacts;
using Recommender.Models.SafeTensors;

namespace Recommender.Models.Tests;

public sealed class ArtifactTests : IDisposable
{
    private readonly ArtifactTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Seen_items_are_sorted_distinct_per_user_with_counts()
    {
        // user 0 rated items 2, 0, 2 (duplicate); user 1 nothing; user 2 rated item 1.
        var ratings = new IndexedRatings([0, 0, 2, 0], [2, 0, 1, 2], [5, 4, 3, 1], userCount: 3, itemCount: 4);
        var seen = SeenItems.FromRatings(ratings);

        Assert.Equal([0, 2], seen.For(0).ToArray());
        Assert.Empty(seen.For(1).ToArray());
        Assert.Equal([1], seen.For(2).ToArray());
        Assert.True(seen.Contains(0, 2));
        Assert.False(seen.Contains(0, 1));
        Assert.Equal([1, 1, 2, 0], seen.ItemPopularity.ToArray());
        Assert.Equal([2, 0, 1, 3], seen.ItemsByPopularity.ToArray());
        Assert.Equal(3, seen.UserCount);
        Assert.Equal(4, seen.ItemCount);
    }

    [Fact]
    public void Seen_items_round_trip_through_the_file()
    {
        var seen = SeenItems.FromRatings(ArtifactSamples.Ratings(50, 80, 600));
        var path = _dir.File("seen.safetensors");
        SeenItemsFile.Save(seen, path);
        var loaded = SeenItemsFile.Load(path);

        Assert.Equal(seen.Offsets.ToArray(), loaded.Offsets.ToArray());
        Assert.Equal(seen.Items.ToArray(), loaded.Items.ToArray());
        Assert.Equal(seen.ItemPopularity.ToArray(), loaded.ItemPopularity.ToArray());
        for (var u = 0; u < 50; u++)
        {
            Assert.Equal(seen.For(u).ToArray(), loaded.For(u).ToArray());
        }
    }

    [Fact]
    public void Unsorted_seen_rows_are_refused_on_load()
    {
        var path = _dir.File("seen.safetensors");
        new SafeTensorsWriter()
            .Add(SeenItemsFile.UserOffsets, new[] { 0, 2 }, 2)
            .Add(SeenItemsFile.Items, new[] { 3, 1 }, 2)
            .Add(SeenItemsFile.ItemCounts, new int[4], 4)
            .Save(path);
        var e = Assert.Throws<ArtifactFormatException>(() => SeenItemsFile.Load(path));
        Assert.Contains("not sorted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_round_trips_and_looks_up_by_external_id()
    {
        var catalog = new ItemCatalog([
            new Movie(50, "Star Wars (1977)", ["Action", "Sci-Fi"]),
            new Movie(1, "Toy Story (1995)", ["Animation", "Children", "Comedy"]),
            new Movie(1682, "Scream of Stone (Schrei aus Stein) (1991)", []),
            new Movie(7, "Amélie \"quoted\"", ["Drama"]),
        ]);
        var path = _dir.File("catalog.json");
        catalog.Save(path);
        var loaded = ItemCatalog.Load(path);

        Assert.Equal(4, loaded.Count);
        Assert.Equal([1, 7, 50, 1682], loaded.Items.Select(m => m.Id));
        Assert.True(loaded.TryGet(50, out var starWars));
        Assert.Equal("Star Wars (1977)", starWars.Title);
        Assert.Equal(["Action", "Sci-Fi"], starWars.Genres);
        Assert.True(loaded.TryGet(7, out var amelie));
        Assert.Equal("Amélie \"quoted\"", amelie.Title);
        Assert.False(loaded.Contains(2));
        Assert.StartsWith("{\"formatVersion\":1,\"items\":[{\"id\":1,", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_refuses_duplicates_and_corrupt_json()
    {
        Assert.Throws<ArgumentException>(() => new ItemCatalog([new Movie(1, "a", []), new Movie(1, "b", [])]));

        var path = _dir.File("catalog.json");
        File.WriteAllText(path, "{\"formatVersion\":1,\"items\":[{\"id\":1,\"title\":\"x\"}]}");
        var e = Assert.Throws<ArtifactFormatException>(() => ItemCatalog.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);

        File.WriteAllText(path, "{\"formatVersion\":2,\"items\":[]}");
        Assert.Contains("format version 2", Assert.Throws<ArtifactFormatException>(() => ItemCatalog.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Id_maps_round_trip_and_fingerprint_depends_on_order_and_content()
    {
        var maps = ArtifactSamples.IdMaps(5, 9);
        var path = _dir.File("ids.safetensors");
        IdMapFile.Save(maps, path);
        var loaded = IdMapFile.Load(path);

        Assert.Equal(maps.Users.ExternalIds, loaded.Users.ExternalIds);
        Assert.Equal(maps.Items.ExternalIds, loaded.Items.ExternalIds);
        Assert.Equal(maps.Fingerprint(), loaded.Fingerprint());
        Assert.Matches("^[0-9a-f]{64}$", maps.Fingerprint());

        var swapped = new IdMaps(maps.Items, maps.Users);
        Assert.NotEqual(maps.Fingerprint(), swapped.Fingerprint());
        var reordered = new IdMaps(IdMap.FromExternalIds([.. maps.Users.ExternalIds.Reverse()]), maps.Items);
        Assert.NotEqual(maps.Fingerprint(), reordered.Fingerprint());

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(SafeTensorDType.I64, reader.GetTensor(IdMapFile.UserIds).DType);
    }

    [Fact]
    public void Duplicate_ids_in_the_file_are_refused()
    {
        var path = _dir.File("ids.safetensors");
        new SafeTensorsWriter()
            .Add(IdMapFile.UserIds, new[] { 1L, 1L }, 2)
            .Add(IdMapFile.ItemIds, new[] { 1L }, 1)
            .Save(path);
        var e = Assert.Throws<ArtifactFormatException>(() => IdMapFile.Load(path));
        Assert.Contains("Duplicate", e.Message, StringComparison.Ordinal);
    }
}
