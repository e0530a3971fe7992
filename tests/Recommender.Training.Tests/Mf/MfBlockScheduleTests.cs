using Recommender.Training.Mf;

namespace Recommender.Training.Tests.Mf;

public sealed class MfBlockScheduleTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(16)]
    public void Each_round_uses_every_item_group_once_and_each_epoch_every_block_once(int blocks)
    {
        var visits = new int[blocks, blocks];
        for (var round = 0; round < blocks; round++)
        {
            var itemGroups = Enumerable.Range(0, blocks).Select(g => MfBlockSchedule.ItemGroup(g, round, blocks)).ToArray();
            Assert.Equal(Enumerable.Range(0, blocks), itemGroups.Order());
            for (var g = 0; g < blocks; g++)
            {
                visits[g, itemGroups[g]]++;
            }
        }

        Assert.All(visits.Cast<int>(), count => Assert.Equal(1, count));
    }

    [Theory]
    [InlineData(1, 80_000, 943, 1682, 104, 2)]
    [InlineData(1, 1000, 943, 1682, 104, 1)]
    [InlineData(1, 10_000_000, 70_000, 10_000, 104, 49)]
    [InlineData(2, 80_000, 943, 1682, 104, 4)]
    [InlineData(2, 10_000_000, 70_000, 10_000, 104, 49)]
    [InlineData(4, 100, 10, 10, 8, 8)]
    public void Block_count_grows_with_the_data_but_keeps_blocks_worth_a_barrier(int threads, long ratings, int users, int items, int stride, int expected)
    {
        Assert.Equal(expected, MfBlockSchedule.BlockCountFor(threads, ratings, users, items, stride));
    }

    [Fact]
    public void Blocks_of_one_round_never_share_a_user_or_an_item()
    {
        var (ratings, _) = PlantedRatings.Create(500, 300, 20000, 2, 0.5, seed: 8);
        const int blocks = 4;

        var grid = MfBlockGrid.Build(ratings, blocks, seed: 3);

        for (var round = 0; round < blocks; round++)
        {
            var userOwner = new Dictionary<int, int>();
            var itemOwner = new Dictionary<int, int>();
            for (var g = 0; g < blocks; g++)
            {
                foreach (var entry in BlockRatings(grid, g, MfBlockSchedule.ItemGroup(g, round, blocks)))
                {
                    Assert.Equal(g, userOwner.TryAdd(entry.User, g) ? g : userOwner[entry.User]);
                    Assert.Equal(g, itemOwner.TryAdd(entry.Item, g) ? g : itemOwner[entry.Item]);
                }
            }
        }
    }

    [Fact]
    public void Grid_holds_every_rating_once_in_its_block()
    {
        var (ratings, _) = PlantedRatings.Create(300, 200, 10000, 2, 0.5, seed: 6);

        var grid = MfBlockGrid.Build(ratings, 3, seed: 1);

        var total = 0;
        for (var ug = 0; ug < 3; ug++)
        {
            for (var ig = 0; ig < 3; ig++)
            {
                var (start, count) = grid.Block(ug, ig);
                total += count;
                Assert.True(count > 0);
                foreach (var entry in BlockRatings(grid, ug, ig))
                {
                    Assert.Equal(ug, MfBlockGrid.GroupOf(entry.User, ratings.UserCount, 3));
                    Assert.Equal(ig, MfBlockGrid.GroupOf(entry.Item, ratings.ItemCount, 3));
                }
            }
        }

        Assert.Equal(ratings.Count, total);
        var expected = Enumerable.Range(0, ratings.Count).Select(n => (grid.UserRows[ratings.Users[n]], grid.ItemRows[ratings.Items[n]], ratings.Values[n])).Order();
        var all = Enumerable.Range(0, 3).SelectMany(ug => Enumerable.Range(0, 3).SelectMany(ig => BlockRatings(grid, ug, ig)));
        Assert.Equal(expected, all.Select(e => (e.User, e.Item, e.Value)).Order());
        Assert.Equal(Enumerable.Range(0, ratings.UserCount), grid.UserRows.Order());
        Assert.Equal(Enumerable.Range(0, ratings.ItemCount), grid.ItemRows.Order());
        // Groups are balanced: sizes differ by at most one.
        var sizes = Enumerable.Range(0, ratings.UserCount).CountBy(row => MfBlockGrid.GroupOf(row, ratings.UserCount, 3)).Select(p => p.Value).ToArray();
        Assert.True(sizes.Max() - sizes.Min() <= 1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Blocks_hold_their_ratings_in_rating_order_before_the_shuffle(int blocks)
    {
        // The grid sorts by (user group, item group) through a small per-group buffer; its output
        // must be what one stable sort gives, so training results do not change with the sort.
        var (ratings, _) = PlantedRatings.Create(400, 250, 15000, 2, 0.5, seed: 12);
        var grid = MfBlockGrid.Build(ratings, blocks, seed: 5);

        var userRows = grid.UserRows;
        var itemRows = grid.ItemRows;
        var stable = Enumerable.Range(0, ratings.Count)
            .OrderBy(n => (MfBlockGrid.GroupOf(userRows[ratings.Users[n]], ratings.UserCount, blocks) * blocks)
                + MfBlockGrid.GroupOf(itemRows[ratings.Items[n]], ratings.ItemCount, blocks))
            .Select(n => new RatingEntry(userRows[ratings.Users[n]], itemRows[ratings.Items[n]], ratings.Values[n]))
            .ToArray();
        for (var ug = 0; ug < blocks; ug++)
        {
            for (var ig = 0; ig < blocks; ig++)
            {
                var (start, count) = grid.Block(ug, ig);
                var expected = stable.AsSpan(start, count).ToArray();
                new Random(SeedMixer.Mix(5, (ug * blocks) + ig)).Shuffle(expected);
                Assert.Equal(expected, BlockRatings(grid, ug, ig));
            }
        }
    }

    [Fact]
    public void Groups_of_more_rows_than_an_entry_offset_holds_are_refused_and_the_fewest_blocks_that_fit_work()
    {
        // 70,000 users: one group would need offsets up to 69,999, beyond an entry's 16 bits.
        var users = 70_000;
        var (ratings, _) = PlantedRatings.Create(users, 40, 90_000, 2, 0.5, seed: 3);

        Assert.Equal(2, MfBlockGrid.MinBlockCount(users, 40));
        Assert.Throws<ArgumentOutOfRangeException>(() => MfBlockGrid.Build(ratings, 1, seed: 1));

        var grid = MfBlockGrid.Build(ratings, 2, seed: 1);
        var all = Enumerable.Range(0, 2).SelectMany(ug => Enumerable.Range(0, 2).SelectMany(ig => BlockRatings(grid, ug, ig)));
        var expected = Enumerable.Range(0, ratings.Count).Select(n => (grid.UserRows[ratings.Users[n]], grid.ItemRows[ratings.Items[n]], ratings.Values[n])).Order();
        Assert.Equal(expected, all.Select(e => (e.User, e.Item, e.Value)).Order());
    }

    /// <summary>A block's entries with their rows made absolute (offsets + their groups' first rows).</summary>
    private static RatingEntry[] BlockRatings(MfBlockGrid grid, int userGroup, int itemGroup)
    {
        var (start, count) = grid.Block(userGroup, itemGroup);
        var firstUser = grid.UserGroupFirstRow(userGroup);
        var firstItem = grid.ItemGroupFirstRow(itemGroup);
        return grid.Entries.AsSpan(start, count).ToArray()
            .Select(e => new RatingEntry(firstUser + e.User, firstItem + e.Item, e.Value))
            .ToArray();
    }
}
