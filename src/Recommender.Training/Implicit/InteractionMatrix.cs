using Recommender.Data;
using Recommender.Models.Implicit;

namespace Recommender.Training.Implicit;

/// <summary>
/// The training interactions as compressed rows, once by user and once by item: row r's entries
/// are <see cref="Columns"/>[<see cref="Starts"/>[r] .. <see cref="Starts"/>[r+1]) with their
/// confidences c alongside, so a row solve reads one contiguous slice. Ratings below the
/// threshold are left out here (they are unobserved pairs for the loss).
/// </summary>
internal sealed class InteractionMatrix
{
    private InteractionMatrix(int rows, int columns, int[] starts, int[] columnIndices, float[] confidence)
    {
        RowCount = rows;
        ColumnCount = columns;
        Starts = starts;
        Columns = columnIndices;
        Confidence = confidence;
    }

    public int RowCount { get; }

    public int ColumnCount { get; }

    /// <summary>RowCount + 1 offsets.</summary>
    public int[] Starts { get; }

    public int[] Columns { get; }

    public float[] Confidence { get; }

    public int Count => Columns.Length;

    public int RowLength(int row) => Starts[row + 1] - Starts[row];

    public ReadOnlySpan<int> ColumnsOf(int row) => Columns.AsSpan(Starts[row], Starts[row + 1] - Starts[row]);

    public ReadOnlySpan<float> ConfidenceOf(int row) => Confidence.AsSpan(Starts[row], Starts[row + 1] - Starts[row]);

    /// <summary>
    /// Both orientations of the interactions in <paramref name="ratings"/>, plus the mean rating of
    /// the interactions (the default for fold-in histories without ratings).
    /// </summary>
    public static (InteractionMatrix ByUser, InteractionMatrix ByItem, float MeanRating) Build(IndexedRatings ratings, ImplicitSolveParameters parameters)
    {
        var keep = new bool[ratings.Count];
        var kept = 0;
        double sum = 0;
        for (var n = 0; n < ratings.Count; n++)
        {
            if (parameters.IsInteraction(ratings.Values[n]))
            {
                keep[n] = true;
                kept++;
                sum += ratings.Values[n];
            }
        }

        var byUser = Compress(ratings.Users, ratings.Items, ratings.Values, keep, kept, ratings.UserCount, ratings.ItemCount, parameters);
        var byItem = Compress(ratings.Items, ratings.Users, ratings.Values, keep, kept, ratings.ItemCount, ratings.UserCount, parameters);
        return (byUser, byItem, kept == 0 ? 0f : (float)(sum / kept));
    }

    // Counting sort by row; within a row the entries keep the ratings' order (stable), so the
    // layout, and every sum over a row, is a pure function of the input.
    private static InteractionMatrix Compress(int[] rowOf, int[] columnOf, float[] values, bool[] keep, int kept, int rows, int columns, ImplicitSolveParameters parameters)
    {
        var starts = new int[rows + 1];
        for (var n = 0; n < rowOf.Length; n++)
        {
            if (keep[n])
            {
                starts[rowOf[n] + 1]++;
            }
        }

        for (var r = 0; r < rows; r++)
        {
            starts[r + 1] += starts[r];
        }

        var next = new int[rows];
        Array.Copy(starts, next, rows);
        var columnIndices = new int[kept];
        var confidence = new float[kept];
        for (var n = 0; n < rowOf.Length; n++)
        {
            if (keep[n])
            {
                var at = next[rowOf[n]]++;
                columnIndices[at] = columnOf[n];
                confidence[at] = parameters.ConfidenceOf(values[n]);
            }
        }

        return new InteractionMatrix(rows, columns, starts, columnIndices, confidence);
    }
}
