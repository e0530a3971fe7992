namespace Recommender.Data.Tests;

public sealed class SplitTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Dataset InMemory(RatingTable ratings, string folder = "/nonexistent") =>
        new("t", DatasetFormat.MovieLens100K, folder, ratings, [], []);

    private static RatingTable Table(params (int User, int Item, float Value, long Time)[] rows) =>
        new([.. rows.Select(r => r.User)], [.. rows.Select(r => r.Item)], [.. rows.Select(r => r.Value)], [.. rows.Select(r => r.Time)]);

    private static RatingTable Sequential(int count)
    {
        var rows = Enumerable.Range(0, count).Select(i => (1 + (i % 50), 1 + i, 1f + (i % 5), (long)i)).ToArray();
        return Table(rows);
    }

    [Theory]
    [InlineData("none", SplitKind.None)]
    [InlineData("random:0.2", SplitKind.Random)]
    [InlineData(" Random:0.25 ", SplitKind.Random)]
    [InlineData("u1", SplitKind.Official)]
    [InlineData("u5", SplitKind.Official)]
    [InlineData("ua", SplitKind.Official)]
    [InlineData("ub", SplitKind.Official)]
    [InlineData("last:5", SplitKind.LastK)]
    public void Valid_specs_parse_and_round_trip(string text, SplitKind kind)
    {
        var spec = SplitSpec.Parse(text);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(spec, SplitSpec.Parse(spec.ToString()));
    }

    [Theory]
    [InlineData("", "Unknown split")]
    [InlineData("random", "Unknown split")]
    [InlineData("random:1", "strictly between 0 and 1")]
    [InlineData("random:0", "strictly between 0 and 1")]
    [InlineData("random:abc", "strictly between 0 and 1")]
    [InlineData("u6", "Unknown split")]
    [InlineData("last:0", "k >= 1")]
    [InlineData("last:-2", "k >= 1")]
    [InlineData("none:1", "Unknown split")]
    public void Invalid_specs_give_clear_errors(string text, string message)
    {
        var ex = Assert.Throws<FormatException>(() => SplitSpec.Parse(text));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.False(SplitSpec.TryParse(text, out _));
    }

    [Fact]
    public void Spec_values_are_exposed()
    {
        Assert.Equal(0.2, SplitSpec.Parse("random:0.2").TestFraction);
        Assert.Equal(5, SplitSpec.Parse("last:5").LastK);
        Assert.Equal("u3", SplitSpec.Parse("u3").OfficialName);
    }

    [Fact]
    public void Random_split_has_the_ratio_is_deterministic_and_partitions_the_rows()
    {
        var ds = InMemory(Sequential(1000));
        var spec = SplitSpec.Parse("random:0.2");

        var a = DatasetSplitter.Split(ds, spec, seed: 42);
        var b = DatasetSplitter.Split(ds, spec, seed: 42);
        var c = DatasetSplitter.Split(ds, spec, seed: 43);

        Assert.Equal(200, a.Test.Count);
        Assert.Equal(800, a.Train.Count);
        Assert.Equal(a.Test.ItemIds, b.Test.ItemIds);
        Assert.NotEqual(a.Test.ItemIds, c.Test.ItemIds);

        // Every row in exactly one part, both parts in file order (items are 1..1000 by row).
        Assert.Equal(Enumerable.Range(1, 1000), a.Train.ItemIds.Concat(a.Test.ItemIds).Order());
        Assert.Equal(a.Test.ItemIds.Order(), a.Test.ItemIds);
        Assert.Equal(a.Train.ItemIds.Order(), a.Train.ItemIds);
    }

    [Fact]
    public void None_keeps_everything_in_train()
    {
        var split = DatasetSplitter.Split(InMemory(Sequential(10)), SplitSpec.None, 1);
        Assert.Equal(10, split.Train.Count);
        Assert.Equal(0, split.Test.Count);
    }

    [Fact]
    public void Last_k_holds_out_each_users_latest_ratings_by_timestamp()
    {
        // User 1: four ratings, out of time order in the file; user 2: exactly k; user 3: one.
        var ds = InMemory(Table(
            (1, 10, 4, 300),
            (2, 20, 3, 50),
            (1, 11, 5, 100),
            (1, 12, 2, 400),
            (3, 30, 1, 10),
            (2, 21, 4, 60),
            (1, 13, 3, 200)));

        var split = DatasetSplitter.Split(ds, SplitSpec.Parse("last:2"), seed: 0);

        // User 1's latest two are items 10 (t=300) and 12 (t=400), in file order.
        Assert.Equal([10, 12], split.Test.ItemIds);
        Assert.Equal([1, 1], split.Test.UserIds);
        Assert.Equal([20, 11, 30, 21, 13], split.Train.ItemIds);
    }

    [Fact]
    public void Official_split_reads_base_and_test_files_and_errors_when_absent()
    {
        var folder = _temp.Sub("ml-100k");
        _temp.Write("ml-100k/u1.base", "1\t1\t5\t874965758\n1\t2\t3\t876893171\n");
        _temp.Write("ml-100k/u1.test", "1\t3\t4\t878542960\n");

        var split = DatasetSplitter.Split(InMemory(Sequential(3), folder), SplitSpec.Parse("u1"), 0);

        Assert.Equal([1, 2], split.Train.ItemIds);
        Assert.Equal([3], split.Test.ItemIds);
        Assert.Equal([4f], split.Test.Values);

        var ex = Assert.Throws<FileNotFoundException>(() => DatasetSplitter.Split(InMemory(Sequential(3), folder), SplitSpec.Parse("ua"), 0));
        Assert.Contains("ua.base", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("random:0.2")]
    [InlineData("last:3")]
    public void Consuming_build_indexes_the_training_columns_in_place_with_the_same_result(string spec)
    {
        var random = new Random(17);
        var rows = Enumerable.Range(0, 5000)
            .Select(i => (random.Next(1, 400) * 7919, random.Next(1, 900) * 104729 % 1_000_003, (float)random.Next(1, 6), (long)i))
            .ToArray();
        var expected = TrainingSet.Build(DatasetSplitter.Split(InMemory(Table(rows)), SplitSpec.Parse(spec), 4));
        var split = DatasetSplitter.Split(InMemory(Table(rows)), SplitSpec.Parse(spec), 4);

        var set = TrainingSet.BuildConsuming(split);

        Assert.Equal(expected.UserMap.ExternalIds, set.UserMap.ExternalIds);
        Assert.Equal(expected.ItemMap.ExternalIds, set.ItemMap.ExternalIds);
        Assert.Equal(expected.Train.Users, set.Train.Users);
        Assert.Equal(expected.Train.Items, set.Train.Items);
        Assert.Equal(expected.Train.Values, set.Train.Values);
        Assert.Equal(expected.TestKnown.Users, set.TestKnown.Users);
        Assert.Equal(expected.TestKnown.Items, set.TestKnown.Items);
        Assert.Equal(expected.TestKnownRatings.UserIds, set.TestKnownRatings.UserIds);
        Assert.Equal(expected.TestCold.ItemIds, set.TestCold.ItemIds);

        // The training table's own arrays became the index columns: no second copy exists.
        Assert.Same(split.Train.UserIds, set.Train.Users);
        Assert.Same(split.Train.ItemIds, set.Train.Items);
        Assert.Same(split.Train.Values, set.Train.Values);
    }

    [Fact]
    public void Training_set_maps_train_ids_in_first_appearance_order_and_keeps_cold_pairs()
    {
        var split = new DataSplit(
            Table((7, 100, 4, 1), (5, 200, 3, 2), (7, 300, 5, 3)),
            Table((5, 100, 2, 4), (9, 100, 5, 5), (7, 999, 1, 6), (7, 200, 4, 7)));

        var set = TrainingSet.Build(split);

        Assert.Equal([7, 5], set.UserMap.ExternalIds);
        Assert.Equal([100, 200, 300], set.ItemMap.ExternalIds);
        Assert.Equal([0, 1, 0], set.Train.Users);
        Assert.Equal([0, 1, 2], set.Train.Items);
        Assert.Equal(2, set.Train.UserCount);
        Assert.Equal(3, set.Train.ItemCount);

        // (5,100) and (7,200) are known; user 9 and item 999 are cold.
        Assert.Equal([1, 0], set.TestKnown.Users);
        Assert.Equal([0, 1], set.TestKnown.Items);
        Assert.Equal([2f, 4f], set.TestKnown.Values);
        Assert.Equal([5, 7], set.TestKnownRatings.UserIds);
        Assert.Equal([9, 7], set.TestCold.UserIds);
        Assert.Equal([100, 999], set.TestCold.ItemIds);
        Assert.Equal(4, set.TestCount);
    }
}
