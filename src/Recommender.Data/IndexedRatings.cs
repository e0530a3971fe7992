namespace Recommender.Data;

/// <summary>
/// Ratings with dense user and item indices, as contiguous arrays: what training loops and
/// metrics consume. <see cref="UserCount"/> and <see cref="ItemCount"/> size the factor matrices.
/// </summary>
public sealed class IndexedRatings
{
    public IndexedRatings(int[] users, int[] items, float[] values, int userCount, int itemCount)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(values);
        if (items.Length != users.Length || values.Length != users.Length)
        {
            throw new ArgumentException("All rating columns must have the same length.");
        }

        Users = users;
        Items = items;
        Values = values;
        UserCount = userCount;
        ItemCount = itemCount;
    }

    public int[] Users { get; }

    public int[] Items { get; }

    public float[] Values { get; }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int Count => Users.Length;

    /// <summary>Indexes <paramref name="table"/>; every id must be in the maps.</summary>
    public static IndexedRatings From(RatingTable table, IdMap users, IdMap items) => From(table, users, items, inPlace: false);

    /// <summary>
    /// Indexes <paramref name="table"/> by overwriting its user and item id columns with the dense
    /// indices, which the result then shares: at 10 M ratings that is 80 MB never allocated. The
    /// table's ids are gone afterwards, so only a caller that owns the table and needs its external
    /// ids no more (fingerprint taken, maps built) may use this. Every id must be in the maps; on a
    /// missing one the table is left partly indexed.
    /// </summary>
    public static IndexedRatings FromInPlace(RatingTable table, IdMap users, IdMap items) => From(table, users, items, inPlace: true);

    private static IndexedRatings From(RatingTable table, IdMap users, IdMap items, bool inPlace)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        var u = inPlace ? table.UserIds : new int[table.Count];
        var i = inPlace ? table.ItemIds : new int[table.Count];
        for (var r = 0; r < table.Count; r++)
        {
            if (!users.TryGetIndex(table.UserIds[r], out u[r]))
            {
                throw new KeyNotFoundException($"User {table.UserIds[r]} (row {r}) is not in the user id map.");
            }

            if (!items.TryGetIndex(table.ItemIds[r], out i[r]))
            {
                throw new KeyNotFoundException($"Item {table.ItemIds[r]} (row {r}) is not in the item id map.");
            }
        }

        // The values are shared with the table, not copied: neither side writes them, and at 25 M
        // ratings a copy is 100 MB more at the peak.
        return new IndexedRatings(u, i, table.Values, users.Count, items.Count);
    }
}
