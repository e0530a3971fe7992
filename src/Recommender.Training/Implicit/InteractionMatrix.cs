using Recommender.Data;
using Recommender.Models.Implicit;

namespace Recommender.Training.Implicit;

/// <summary>
/// The training interactions as compressed rows, once by user and once by item: row r's entries
/// are <see cref="Columns"/>[<see cref="Starts"/>[r] .. <see cref="Starts"/>[r+1]) with their
/// confidences c alongside, so a row solve reads one contiguous slice. Ratings below the
/// threshold are left out here (they are unobserved pairs for the loss).
/// </summary>
/// <remarks>
/// A confidence is a function of the rating, and ratings take few values (MovieLens: 5 or 10), so
/// each entry stores a one-byte code into a table of the distinct confidences rather than a float:
/// at 10 M ratings that is 50 MB less across both orientations, which keeps training under twice
/// LIBMF's memory. Data with more than 256 distinct rating values keeps floats.
/// </remarks>
internal sealed class InteractionMatrix
{
    private readonly float[]? confidence;
    private readonly byte[]? confidenceCodes;
    private readonly float[] confidenceTable;

    private InteractionMatrix(int rows, int columns, int[] starts, int[] columnIndices, float[]? confidence, byte[]? confidenceCodes, float[] confidenceTable)
    {
        RowCount = rows;
        ColumnCount = columns;
        Starts = starts;
        Columns = columnIndices;
        this.confidence = confidence;
        this.confidenceCodes = confidenceCodes;
        this.confidenceTable = confidenceTable;
        for (var r = 0; r < rows; r++)
        {
            MaxRowLength = Math.Max(MaxRowLength, starts[r + 1] - starts[r]);
        }
    }

    public int RowCount { get; }

    public int ColumnCount { get; }

    /// <summary>RowCount + 1 offsets.</summary>
    public int[] Starts { get; }

    public int[] Columns { get; }

    public int Count => Columns.Length;

    /// <summary>The most entries of any row: what a buffer for <see cref="ConfidenceOf"/> needs.</summary>
    public int MaxRowLength { get; }

    /// <summary>Whether confidences are stored as one-byte codes (see the remarks).</summary>
    public bool StoresCodes => confidenceCodes is not null;

    public int RowLength(int row) => Starts[row + 1] - Starts[row];

    public ReadOnlySpan<int> ColumnsOf(int row) => Columns.AsSpan(Starts[row], Starts[row + 1] - Starts[row]);

    /// <summary>
    /// Row <paramref name="row"/>'s confidences, decoded into <paramref name="buffer"/> (at least
    /// the row's length) when they are stored as codes.
    /// </summary>
    public ReadOnlySpan<float> ConfidenceOf(int row, Span<float> buffer)
    {
        var start = Starts[row];
        var length = Starts[row + 1] - start;
        if (confidence is not null)
        {
            return confidence.AsSpan(start, length);
        }

        var codes = confidenceCodes.AsSpan(start, length);
        var decoded = buffer[..length];
        for (var n = 0; n < codes.Length; n++)
        {
            decoded[n] = confidenceTable[codes[n]];
        }

        return decoded;
    }

    /// <summary>
    /// Both orientations of the interactions in <paramref name="ratings"/>, plus the mean rating of
    /// the interactions (the default for fold-in histories without ratings).
    /// </summary>
    public static (InteractionMatrix ByUser, InteractionMatrix ByItem, float MeanRating) Build(IndexedRatings ratings, ImplicitSolveParameters parameters)
    {
        var values = ratings.Values;
        var kept = 0;
        double sum = 0;
        var codes = new Dictionary<float, byte>();
        var table = new List<float>();
        var coded = true;
        for (var n = 0; n < values.Length; n++)
        {
            var value = values[n];
            if (parameters.IsInteraction(value))
            {
                kept++;
                sum += value;
                if (coded && !codes.ContainsKey(value))
                {
                    coded = table.Count <= byte.MaxValue;
                    if (coded)
                    {
                        codes[value] = (byte)table.Count;
                        table.Add(parameters.ConfidenceOf(value));
                    }
                }
            }
        }

        var encoding = new Encoding(parameters, coded ? codes : null, [.. table]);
        var byUser = Compress(ratings.Users, ratings.Items, values, kept, ratings.UserCount, ratings.ItemCount, encoding);
        var byItem = Compress(ratings.Items, ratings.Users, values, kept, ratings.ItemCount, ratings.UserCount, encoding);
        return (byUser, byItem, kept == 0 ? 0f : (float)(sum / kept));
    }

    /// <summary>How entries' confidences are stored: codes (a code per distinct rating) or floats.</summary>
    private sealed record Encoding(ImplicitSolveParameters Parameters, Dictionary<float, byte>? Codes, float[] Table);

    // Counting sort by row; within a row the entries keep the ratings' order (stable), so the
    // layout, and every sum over a row, is a pure function of the input.
    private static InteractionMatrix Compress(int[] rowOf, int[] columnOf, float[] values, int kept, int rows, int columns, Encoding encoding)
    {
        var parameters = encoding.Parameters;
        var starts = new int[rows + 1];
        for (var n = 0; n < rowOf.Length; n++)
        {
            if (parameters.IsInteraction(values[n]))
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
        var codes = encoding.Codes is null ? null : new byte[kept];
        var confidence = codes is null ? new float[kept] : null;
        for (var n = 0; n < rowOf.Length; n++)
        {
            var value = values[n];
            if (parameters.IsInteraction(value))
            {
                var at = next[rowOf[n]]++;
                columnIndices[at] = columnOf[n];
                if (codes is not null)
                {
                    codes[at] = encoding.Codes![value];
                }
                else
                {
                    confidence![at] = parameters.ConfidenceOf(value);
                }
            }
        }

        return new InteractionMatrix(rows, columns, starts, columnIndices, confidence, codes, encoding.Table);
    }
}
