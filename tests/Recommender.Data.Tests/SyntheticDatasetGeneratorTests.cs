namespace Recommender.Data.Tests;

public sealed class SyntheticDatasetGeneratorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Same_seed_gives_byte_identical_files_whatever_the_parallelism()
    {
        var options = new SyntheticDatasetOptions { Users = 300, Items = 500, Ratings = 300_000 / 10 };
        var a = new SyntheticDatasetGenerator(options with { DegreeOfParallelism = 1 }).Generate(_temp.Sub("a"));
        var b = new SyntheticDatasetGenerator(options with { DegreeOfParallelism = 4 }).Generate(_temp.Sub("b"));
        var c = new SyntheticDatasetGenerator(options with { Seed = 7 }).Generate(_temp.Sub("c"));

        foreach (var file in new[] { "u.data", "u.item", "u.user", "u.info" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Folder, file)), File.ReadAllBytes(Path.Combine(b.Folder, file)));
        }

        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a.Folder, "u.data")), File.ReadAllBytes(Path.Combine(c.Folder, "u.data")));
        Assert.Equal(a.NoiseFloorRmse, b.NoiseFloorRmse);
        Assert.Equal(a.MeanRating, b.MeanRating);
    }

    [Fact]
    public void Default_size_dataset_looks_like_movielens()
    {
        var summary = new SyntheticDatasetGenerator().Generate(_temp.Sub("ml-synthetic"));
        var ds = DatasetLoader.Load(summary.Folder);
        var r = ds.Ratings;

        Assert.Equal(DatasetFormat.MovieLens100K, ds.Format);
        Assert.Equal(100_000, r.Count);
        Assert.Equal(1682, ds.Movies.Count);
        Assert.Equal(943, ds.Users.Count);
        Assert.Equal("Synthetic Movie 17", ds.Movies[16].Title[..18]);
        Assert.Matches(@"^Synthetic Movie 17 \(\d{4}\)$", ds.Movies[16].Title);
        Assert.NotEmpty(ds.Movies[16].Genres);
        Assert.Equal("943 users\n1682 items\n100000 ratings\n", File.ReadAllText(Path.Combine(summary.Folder, "u.info")));

        // Integer stars 1-5, mean near 3.5, mostly 3s and 4s, fewer 1s than any other star.
        Assert.All(r.Values, v => Assert.True(v is 1 or 2 or 3 or 4 or 5, $"rating {v}"));
        var mean = r.Values.Average();
        Assert.InRange(mean, 3.3, 3.7);
        Assert.Equal(summary.MeanRating, mean, 6);
        var counts = Enumerable.Range(1, 5).Select(s => r.Values.Count(v => v == s)).ToArray();
        Assert.Equal(counts.Select(c => (long)c), summary.RatingCounts);
        Assert.True(counts[2] + counts[3] > r.Count / 2, "3s and 4s should be the majority");
        Assert.True(counts[0] < counts[1] && counts[0] < counts[4], "1s should be the rarest");

        // No duplicate (user, item) pairs; ids within range.
        var pairs = new HashSet<long>();
        for (var i = 0; i < r.Count; i++)
        {
            Assert.InRange(r.UserIds[i], 1, 943);
            Assert.InRange(r.ItemIds[i], 1, 1682);
            Assert.True(pairs.Add(((long)r.UserIds[i] << 32) | (uint)r.ItemIds[i]), $"duplicate pair at row {i}");
        }

        // Popularity skew: the top 10% of items hold far more than 10% of ratings.
        var perItem = r.ItemIds.GroupBy(i => i).Select(g => g.Count()).OrderByDescending(c => c).ToArray();
        Assert.True(perItem.Take(168).Sum() > 0.3 * r.Count, "top 10% of items should hold over 30% of ratings");

        // Activity skew: the busiest user rates several times the median; every user has 20+.
        var perUser = r.UserIds.GroupBy(u => u).Select(g => g.Count()).OrderBy(c => c).ToArray();
        Assert.Equal(943, perUser.Length);
        Assert.True(perUser[0] >= 20);
        Assert.True(perUser[^1] > 4 * perUser[perUser.Length / 2], "activity should be heavy-tailed");

        // Timestamps increase within each user's ratings.
        for (var i = 1; i < r.Count; i++)
        {
            if (r.UserIds[i] == r.UserIds[i - 1])
            {
                Assert.True(r.Timestamps[i] > r.Timestamps[i - 1], $"timestamps not increasing at row {i}");
            }
        }

        // The planted model explains the data: the noise floor is near the noise level, well under
        // the spread of the ratings (a constant predictor's RMSE).
        var std = Math.Sqrt(r.Values.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(summary.NoiseFloorRmse, 0.5, 0.75);
        Assert.True(summary.NoiseFloorRmse < 0.75 * std, $"floor {summary.NoiseFloorRmse} vs std {std}");
    }

    [Fact]
    public void Dense_small_requests_fill_exactly_without_duplicates()
    {
        var summary = new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 10, Items = 40, Ratings = 200, Seed = 3 })
            .Generate(_temp.Sub("dense"));
        var r = DatasetLoader.Load(summary.Folder).Ratings;

        Assert.Equal(200, r.Count);
        Assert.Equal(200, r.UserIds.Zip(r.ItemIds).Distinct().Count());
    }

    [Fact]
    public void Impossible_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 10, Items = 10, Ratings = 51 }));
        Assert.Throws<ArgumentException>(() => new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 0 }));
    }
}
