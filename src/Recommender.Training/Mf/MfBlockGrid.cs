using Recommender.Data;

namespace Recommender.Training.Mf;

/// <summary>
/// Training ratings bucketed by (user group, item group) for parallel SGD, LIBMF style.
/// Users (and items) are shuffled by a seeded permutation and renumbered: a user's internal row is
/// its position in the shuffled order, and group g owns a contiguous range of rows. Random, so
/// popular users and items spread evenly and blocks have similar sizes; contiguous, so the rows a
/// block touches are one compact slice of the factor matrix that stays in cache (and in few pages).
/// Ratings carry their rows as offsets within their block's groups (<see cref="GridEntry"/>, 8
/// bytes), and each block is shuffled once so SGD sees them in random order.
/// </summary>
internal sealed class MfBlockGrid
{
    private readonly int[] blockStarts;

    private readonly int[] userGroupFirstRows;
    private readonly int[] itemGroupFirstRows;

    private MfBlockGrid(int blockCount, int[] userRows, int[] itemRows, GridEntry[] entries, int[] blockStarts)
    {
        BlockCount = blockCount;
        userGroupFirstRows = FirstRows(userRows.Length, blockCount);
        itemGroupFirstRows = FirstRows(itemRows.Length, blockCount);
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

    /// <summary>
    /// All ratings, block after block (row-major over (user group, item group)), with rows as
    /// offsets from <see cref="UserGroupFirstRow"/> and <see cref="ItemGroupFirstRow"/> of their block.
    /// </summary>
    public GridEntry[] Entries { get; }

    /// <summary>The fewest groups that keep every group within <see cref="GridEntry.MaxGroupRows"/> rows.</summary>
    public static int MinBlockCount(int userCount, int itemCount) =>
        Math.Max(1, (Math.Max(userCount, itemCount) + GridEntry.MaxGroupRows - 1) / GridEntry.MaxGroupRows);

    public static MfBlockGrid Build(IndexedRatings ratings, int blockCount, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, MinBlockCount(ratings.UserCount, ratings.ItemCount));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockCount, ushort.MaxValue);
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
        // the entries), so the grid holds its 8-byte entries once plus that buffer per worker,
        // not a second array of all ratings. Both passes are stable, so a block's entries are in
        // rating order before the shuffle, as with one stable sort by (user group, item group).
        var entries = GC.AllocateUninitializedArray<GridEntry>(ratings.Count);
        var next = new int[blockCount];
        var largestGroup = 0;
        for (var g = 0; g < blockCount; g++)
        {
            next[g] = starts[g * blockCount];
            largestGroup = Math.Max(largestGroup, starts[(g + 1) * blockCount] - starts[g * blockCount]);
        }

        // Each rating's rows as offsets within its groups, looked up per user and item.
        var userOffsets = Offsets(userRows, blockCount);
        var itemOffsets = Offsets(itemRows, blockCount);
        var users = ratings.Users;
        var items = ratings.Items;
        var values = ratings.Values;
        // An entry keeps only its offsets, so the second pass reads each entry's item group from
        // here (2 bytes a rating, dropped when the grid is built).
        var itemGroupOfEntry = new ushort[ratings.Count];
        for (var n = 0; n < ratings.Count; n++)
        {
            var user = users[n];
            var item = items[n];
            var position = next[userGroups[user]]++;
            entries[position] = new GridEntry(userOffsets[user], itemOffsets[item], values[n]);
            itemGroupOfEntry[position] = (ushort)itemGroups[item];
        }

        Parallel.For(
            0,
            blockCount,
            () => GC.AllocateUninitializedArray<GridEntry>(largestGroup),
            (userGroup, _, buffer) =>
            {
                var first = starts[userGroup * blockCount];
                var group = entries.AsSpan(first, starts[(userGroup + 1) * blockCount] - first);
                group.CopyTo(buffer);
                var itemNext = starts.AsSpan(userGroup * blockCount, blockCount).ToArray();
                var source = 0;
                foreach (var entry in buffer.AsSpan(0, group.Length))
                {
                    entries[itemNext[itemGroupOfEntry[first + source++]]++] = entry;
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

    /// <summary>The internal row that entries' user offsets in user group <paramref name="group"/> count from.</summary>
    public int UserGroupFirstRow(int group) => userGroupFirstRows[group];

    /// <summary>The internal row that entries' item offsets in item group <paramref name="group"/> count from.</summary>
    public int ItemGroupFirstRow(int group) => itemGroupFirstRows[group];

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

    /// <summary>Each index's row as an offset from the first row of its group.</summary>
    private static ushort[] Offsets(int[] rows, int blockCount)
    {
        var firstRows = FirstRows(rows.Length, blockCount);
        var offsets = new ushort[rows.Length];
        for (var n = 0; n < rows.Length; n++)
        {
            offsets[n] = checked((ushort)(rows[n] - firstRows[GroupOf(rows[n], rows.Length, blockCount)]));
        }

        return offsets;
    }

    /// <summary>The first row of each group: the smallest row r with r·B / N ≥ g, i.e. ⌈g·N / B⌉.</summary>
    private static int[] FirstRows(int rowCount, int blockCount)
    {
        var first = new int[blockCount];
        for (var g = 0; g < blockCount; g++)
        {
            first[g] = (int)((((long)g * rowCount) + blockCount - 1) / blockCount);
        }

        return first;
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
