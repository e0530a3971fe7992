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

        // Block coordinates per user and per item, looked up instead of computed per rating.
        var userGroups = Groups(userRows, blockCount);
        var itemGroups = Groups(itemRows, blockCount);
        var starts = new int[(blockCount * blockCount) + 1];
        for (var n = 0; n < ratings.Count; n++)
        {
            starts[(userGroups[ratings.Users[n]] * blockCount) + itemGroups[ratings.Items[n]] + 1]++;
        }

        for (var b = 1; b < starts.Length; b++)
        {
            starts[b] += starts[b - 1];
        }

        // Two counting-sort passes, by user group and then by item group within each user
        // group: each pass writes to at most B places at once, where a single pass over B²
        // blocks scatters writes across thousands of pages (TLB misses at millions of ratings).
        // The first pass writes the entries themselves, stably by user group; the second sorts
        // each user group's slice by item group through a buffer of one group's size (a B-th of
        // the entries), so the grid holds its 12-byte entries once plus that buffer per worker,
        // not a second array of all ratings. Both passes are stable, so a block's entries are in
        // rating order before the shuffle, as with one stable sort by (user group, item group).
        var entries = GC.AllocateUninitializedArray<RatingEntry>(ratings.Count);
        var next = new int[blockCount];
        var largestGroup = 0;
        for (var g = 0; g < blockCount; g++)
        {
            next[g] = starts[g * blockCount];
            largestGroup = Math.Max(largestGroup, starts[(g + 1) * blockCount] - starts[g * blockCount]);
        }

        var users = ratings.Users;
        var items = ratings.Items;
        var values = ratings.Values;
        for (var n = 0; n < ratings.Count; n++)
        {
            var user = users[n];
            entries[next[userGroups[user]]++] = new RatingEntry(userRows[user], itemRows[items[n]], values[n]);
        }

        var itemGroupOfRow = new int[itemRows.Length];
        for (var row = 0; row < itemGroupOfRow.Length; row++)
        {
            itemGroupOfRow[row] = GroupOf(row, itemRows.Length, blockCount);
        }

        Parallel.For(
            0,
            blockCount,
            () => GC.AllocateUninitializedArray<RatingEntry>(largestGroup),
            (userGroup, _, buffer) =>
            {
                var first = starts[userGroup * blockCount];
                var group = entries.AsSpan(first, starts[(userGroup + 1) * blockCount] - first);
                group.CopyTo(buffer);
                var itemNext = starts.AsSpan(userGroup * blockCount, blockCount).ToArray();
                foreach (var entry in buffer.AsSpan(0, group.Length))
                {
                    entries[itemNext[itemGroupOfRow[entry.Item]]++] = entry;
                }

                return buffer;
            },
            _ => { });

        // Each block is shuffled by its own seeded stream, so blocks can be shuffled in parallel
        // and the order is the same on any core count.
        Parallel.For(0, blockCount * blockCount, b =>
            new Random(SeedMixer.Mix(seed, b)).Shuffle(entries.AsSpan(starts[b], starts[b + 1] - starts[b])));

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

    private static int[] Groups(int[] rows, int blockCount)
    {
        var groups = new int[rows.Length];
        for (var n = 0; n < rows.Length; n++)
        {
            groups[n] = GroupOf(rows[n], rows.Length, blockCount);
        }

        return groups;
    }

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
