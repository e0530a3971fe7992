namespace Recommender.Data;

/// <summary>
/// Ratings as parallel columns with the dataset's own (external) ids, in file order.
/// Columnar so that tens of millions of ratings stay compact and cheap to split and index.
/// </summary>
public sealed class RatingTable
{
    public RatingTable(int[] userIds, int[] itemIds, float[] values, long[] timestamps)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        ArgumentNullException.ThrowIfNull(itemIds);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(timestamps);
        if (itemIds.Length != userIds.Length || values.Length != userIds.Length || timestamps.Length != userIds.Length)
        {
            throw new ArgumentException("All rating columns must have the same length.");
        }

        UserIds = userIds;
        ItemIds = itemIds;
        Values = values;
        Timestamps = timestamps;
    }

    /// <summary>No ratings.</summary>
    public static RatingTable Empty { get; } = new([], [], [], []);

    public int[] UserIds { get; }

    public int[] ItemIds { get; }

    public float[] Values { get; }

    /// <summary>Unix seconds; 0 where the source has none.</summary>
    public long[] Timestamps { get; }

    public int Count => UserIds.Length;

    /// <summary>The rows at <paramref name="rows"/>, in that order.</summary>
    public RatingTable Select(ReadOnlySpan<int> rows)
    {
        var users = new int[rows.Length];
        var items = new int[rows.Length];
        var values = new float[rows.Length];
        var times = new long[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            users[i] = UserIds[r];
            items[i] = ItemIds[r];
            values[i] = Values[r];
            times[i] = Timestamps[r];
        }

        return new RatingTable(users, items, values, times);
    }
}
