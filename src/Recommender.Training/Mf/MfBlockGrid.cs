using Recommender.Data;

namespace Recommender.Training.Mf;

/// <summary>
/// Training ratings bucketed by (user group, item group) for parallel SGD, LIBMF style. Users and
/// items are assigned to B groups by a seeded random permutation cut into equal ranges (random,
/// so that popular users and items spread evenly and blocks have similar sizes), and each block is
/// shuffled once so SGD sees ratings in random order. Built once per training run.
/// </summary>
internal sealed class MfBlockGrid
{
    private readonly int[] blockStarts;

    private MfBlockGrid(int blockCount, int[] userGroups, int[] itemGroups, RatingEntry[] entries, int[] blockStarts)
    {
        BlockCount = blockCount;
        UserGroups = userGroups;
        ItemGroups = itemGroups;
        Entries = entries;
        this.blockStarts = blockStarts;
    }

    /// <summary>B: the number of user groups, and of item groups.</summary>
    public int BlockCount { get; }

    /// <summary>Group of each user.</summary>
    public int[] UserGroups { get; }

    /// <summary>Group of each item.</summary>
    public int[] ItemGroups { get; }

    /// <summary>All ratings, block after block (row-major over (user group, item group)).</summary>
    public RatingEntry[] Entries { get; }

    public static MfBlockGrid Build(IndexedRatings ratings, int blockCount, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockCount);
        var random = new Random(seed);
        var userGroups = RandomGroups(ratings.UserCount, blockCount, random);
        var itemGroups = RandomGroups(ratings.ItemCount, blockCount, random);

        var starts = new int[(blockCount * blockCount) + 1];
        for (var n = 0; n < ratings.Count; n++)
        {
            starts[BlockIndex(userGroups[ratings.Users[n]], itemGroups[ratings.Items[n]], blockCount) + 1]++;
        }

        for (var b = 1; b < starts.Length; b++)
        {
            starts[b] += starts[b - 1];
        }

        var entries = new RatingEntry[ratings.Count];
        var next = starts[..^1];
        for (var n = 0; n < ratings.Count; n++)
        {
            var u = ratings.Users[n];
            var i = ratings.Items[n];
            entries[next[BlockIndex(userGroups[u], itemGroups[i], blockCount)]++] = new RatingEntry(u, i, ratings.Values[n]);
        }

        for (var b = 0; b < blockCount * blockCount; b++)
        {
            random.Shuffle(entries.AsSpan(starts[b], starts[b + 1] - starts[b]));
        }

        return new MfBlockGrid(blockCount, userGroups, itemGroups, entries, starts);
    }

    /// <summary>Offset into <see cref="Entries"/> and length of block (userGroup, itemGroup).</summary>
    public (int Start, int Count) Block(int userGroup, int itemGroup)
    {
        var b = BlockIndex(userGroup, itemGroup, BlockCount);
        return (blockStarts[b], blockStarts[b + 1] - blockStarts[b]);
    }

    private static int BlockIndex(int userGroup, int itemGroup, int blockCount) => (userGroup * blockCount) + itemGroup;

    private static int[] RandomGroups(int count, int blockCount, Random random)
    {
        var order = new int[count];
        for (var n = 0; n < count; n++)
        {
            order[n] = n;
        }

        random.Shuffle(order);
        var groups = new int[count];
        for (var position = 0; position < count; position++)
        {
            groups[order[position]] = (int)((long)position * blockCount / count);
        }

        return groups;
    }
}
