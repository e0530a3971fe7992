using Recommender.Data;

namespace Recommender.Training.Mf.Bayesian;

/// <summary>Ratings grouped by user (or by item) in compressed rows: the sampler visits one row's ratings at a time.</summary>
internal sealed class RatingsByRow
{
    private RatingsByRow(int[] starts, int[] others, float[] values)
    {
        Starts = starts;
        Others = others;
        Values = values;
    }

    /// <summary>Row r's ratings are [Starts[r], Starts[r + 1]).</summary>
    public int[] Starts { get; }

    /// <summary>The other side's index of each rating (the item of a user row, the user of an item row).</summary>
    public int[] Others { get; }

    public float[] Values { get; }

    public int RowCount => Starts.Length - 1;

    public static RatingsByRow ByUser(IndexedRatings ratings) => Build(ratings.Users, ratings.Items, ratings.Values, ratings.UserCount);

    public static RatingsByRow ByItem(IndexedRatings ratings) => Build(ratings.Items, ratings.Users, ratings.Values, ratings.ItemCount);

    private static RatingsByRow Build(int[] rows, int[] others, float[] values, int rowCount)
    {
        var starts = new int[rowCount + 1];
        foreach (var row in rows)
        {
            starts[row + 1]++;
        }

        for (var r = 0; r < rowCount; r++)
        {
            starts[r + 1] += starts[r];
        }

        var next = (int[])starts.Clone();
        var grouped = new int[rows.Length];
        var groupedValues = new float[rows.Length];
        for (var n = 0; n < rows.Length; n++)
        {
            var at = next[rows[n]]++;
            grouped[at] = others[n];
            groupedValues[at] = values[n];
        }

        return new RatingsByRow(starts, grouped, groupedValues);
    }
}
