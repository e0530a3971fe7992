using Recommender.Data;

namespace Recommender.Training.Mf;

/// <summary>
/// Training ratings bucketed by (user group, item group) for parallel SGD, LIBMF style.
/// Users (and items) are shuffled by a seeded permutation and renumbered: a user's internal row is
/// its position in the shuffled order, and group g owns a contiguous range of rows. Random, so
/// popular users and items spread evenly and blocks have similar sizes; contiguous, so the rows a
/// block touches are one compact slice of the factor matrix that stays in cache (and in few pages).
/// Ratings carry internal rows, and each block is shuffled once so SGD sees them in random order.
/// </summary>
internal sealed class MfBlockGrid
{
    private readonly int[] blockStarts;

    private MfBlockGrid(int blockCount, int[] userRows, int[] itemRows, RatingEntry[] entries, int[] blockStarts)
    {
        BlockCount = blockCount;
        UserRows = userRows;
        ItemRows = itemRows;
        Entries = entries;
        this.blockStarts = blockStarts;
    }

    /// <summary>B: the number of user groups, and of item groups.</summary>
    public int BlockCount { get; }

    /// <summary>Internal row of each user (a permutation).</summary>
    public int[] UserRows { get; }

    /// <summary>Internal row of each item (a permutation).</summary>
    public int[] ItemRows { get; }

    /// <summary>All ratings with internal rows, block after block (row-major over (user group, item group)).</summary>
    public RatingEntry[] Entries { get; }

    public static MfBlockGrid Build(IndexedRatings ratings, int blockCount, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockCount);
        var random = new Random(seed);
        var userRows = RandomPermutation(ratings.UserCount, random);
        var itemRows = RandomPermutation(ratings.ItemCount, random);

        var starts = new int[(blockCount * blockCount) + 1];
        for (var n = 0; n < ratings.Count; n++)
        {
            starts[BlockIndex(userRows[ratings.Users[n]], itemRows[ratings.Items[n]], ratings.UserCount, ratings.ItemCount, blockCount) + 1]++;
        }

        for (var b = 1; b < starts.Length; b++)
        {
            starts[b] += starts[b - 1];
        }

        var entries = new RatingEntry[ratings.Count];
        var next = starts[..^1];
        for (var n = 0; n < ratings.Count; n++)
        {
            var u = userRows[ratings.Users[n]];
            var i = itemRows[ratings.Items[n]];
            entries[next[BlockIndex(u, i, ratings.UserCount, ratings.ItemCount, blockCount)]++] = new RatingEntry(u, i, ratings.Values[n]);
        }

        for (var b = 0; b < blockCount * blockCount; b++)
        {
            random.Shuffle(entries.AsSpan(starts[b], starts[b + 1] - starts[b]));
        }

        return new MfBlockGrid(blockCount, userRows, itemRows, entries, starts);
    }

    /// <summary>The group that owns internal row <paramref name="row"/> of <paramref name="rowCount"/>.</summary>
    public static int GroupOf(int row, int rowCount, int blockCount) => (int)((long)row * blockCount / rowCount);

    /// <summary>Offset into <see cref="Entries"/> and length of block (userGroup, itemGroup).</summary>
    public (int Start, int Count) Block(int userGroup, int itemGroup)
    {
        var b = (userGroup * BlockCount) + itemGroup;
        return (blockStarts[b], blockStarts[b + 1] - blockStarts[b]);
    }

    private static int BlockIndex(int userRow, int itemRow, int userCount, int itemCount, int blockCount) =>
        (GroupOf(userRow, userCount, blockCount) * blockCount) + GroupOf(itemRow, itemCount, blockCount);

    private static int[] RandomPermutation(int count, Random random)
    {
        var rows = new int[count];
        for (var n = 0; n < count; n++)
        {
            rows[n] = n;
        }

        random.Shuffle(rows);
        return rows;
    }
}
