using Recommender.Data;

namespace Recommender.Models.Artifacts;

/// <summary>
/// Which dense items each dense user rated in training (CSR: <see cref="Offsets"/> of length
/// UserCount + 1 into the per-user sorted, distinct <see cref="Items"/>), so top-N can exclude them
/// with a binary search and no hash sets; plus per-item training rating counts, the popularity
/// fallback for users the model cannot score.
/// </summary>
public sealed class SeenItems
{
    private readonly int[] _offsets;
    private readonly int[] _items;
    private readonly int[] _itemCounts;
    private readonly int[] _byPopularity;

    /// <summary>Wraps CSR arrays (not copied); throws <see cref="ArgumentException"/> if they are inconsistent.</summary>
    public SeenItems(int[] offsets, int[] items, int[] itemCounts)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(itemCounts);
        if (Validate(offsets, items, itemCounts) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        _offsets = offsets;
        _items = items;
        _itemCounts = itemCounts;
        _byPopularity = RankByPopularity(itemCounts);
    }

    public int UserCount => _offsets.Length - 1;

    public int ItemCount => _itemCounts.Length;

    /// <summary>Row starts into <see cref="Items"/>; length UserCount + 1, the last entry is Items.Length.</summary>
    public ReadOnlySpan<int> Offsets => _offsets;

    /// <summary>All rows back to back; each row sorted ascending without duplicates.</summary>
    public ReadOnlySpan<int> Items => _items;

    /// <summary>Training ratings per dense item (duplicates of a pair counted each time).</summary>
    public ReadOnlySpan<int> ItemPopularity => _itemCounts;

    /// <summary>Dense items, most rated first; ties by lower index, so the order is deterministic.</summary>
    public ReadOnlySpan<int> ItemsByPopularity => _byPopularity;

    // The file writer takes the arrays themselves: copying a large index just to save it is waste.
    internal int[] OffsetArray => _offsets;

    internal int[] ItemArray => _items;

    internal int[] ItemCountArray => _itemCounts;

    /// <summary>The sorted dense items <paramref name="user"/> rated in training.</summary>
    public ReadOnlySpan<int> For(int user)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, UserCount);
        return _items.AsSpan(_offsets[user], _offsets[user + 1] - _offsets[user]);
    }

    public bool Contains(int user, int item) => For(user).BinarySearch(item) >= 0;

    /// <summary>Builds the index from training ratings.</summary>
    public static SeenItems FromRatings(IndexedRatings ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        var users = ratings.Users;
        var items = ratings.Items;
        var itemCounts = new int[ratings.ItemCount];
        var offsets = new int[ratings.UserCount + 1];
        for (var r = 0; r < users.Length; r++)
        {
            if ((uint)users[r] >= (uint)ratings.UserCount || (uint)items[r] >= (uint)ratings.ItemCount)
            {
                throw new ArgumentException($"Rating {r} ({users[r]}, {items[r]}) is outside {ratings.UserCount} users x {ratings.ItemCount} items.", nameof(ratings));
            }

            offsets[users[r] + 1]++;
            itemCounts[items[r]]++;
        }

        for (var u = 0; u < ratings.UserCount; u++)
        {
            offsets[u + 1] += offsets[u];
        }

        // Counting sort into rows, then sort and de-duplicate each row in place, compacting as we go.
        var rows = new int[users.Length];
        var cursor = offsets[..^1];
        for (var r = 0; r < users.Length; r++)
        {
            rows[cursor[users[r]]++] = items[r];
        }

        var compactOffsets = new int[offsets.Length];
        var write = 0;
        for (var u = 0; u < ratings.UserCount; u++)
        {
            var row = rows.AsSpan(offsets[u], offsets[u + 1] - offsets[u]);
            row.Sort();
            compactOffsets[u] = write;
            for (var k = 0; k < row.Length; k++)
            {
                if (k == 0 || row[k] != row[k - 1])
                {
                    rows[write++] = row[k];
                }
            }
        }

        compactOffsets[^1] = write;
        return new SeenItems(compactOffsets, write == rows.Length ? rows : rows[..write], itemCounts);
    }

    /// <summary>Why the arrays are not a valid index, or null when they are.</summary>
    internal static string? Validate(int[] offsets, int[] items, int[] itemCounts)
    {
        if (offsets.Length == 0 || offsets[0] != 0)
        {
            return "offsets must start with 0";
        }

        if (offsets[^1] != items.Length)
        {
            return $"the last offset ({offsets[^1]}) must equal the item count ({items.Length})";
        }

        for (var u = 0; u + 1 < offsets.Length; u++)
        {
            if (offsets[u + 1] < offsets[u])
            {
                return $"offsets decrease at user {u}";
            }

            for (var k = offsets[u]; k < offsets[u + 1]; k++)
            {
                if ((uint)items[k] >= (uint)itemCounts.Length)
                {
                    return $"user {u} has item {items[k]}, outside 0..{itemCounts.Length - 1}";
                }

                if (k > offsets[u] && items[k] <= items[k - 1])
                {
                    return $"the items of user {u} are not sorted and distinct";
                }
            }
        }

        foreach (var count in itemCounts)
        {
            if (count < 0)
            {
                return "item counts must be non-negative";
            }
        }

        return null;
    }

    private static int[] RankByPopularity(int[] counts)
    {
        var order = new int[counts.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => counts[a] != counts[b] ? counts[b].CompareTo(counts[a]) : a.CompareTo(b));
        return order;
    }
}
