using Recommender.Data;
using Recommender.Models.Implicit;
using Recommender.Training.Implicit;

namespace Recommender.Training.Tests.Implicit;

public sealed class InteractionMatrixTests
{
    private static readonly ImplicitSolveParameters Parameters = new() { Alpha = 2f, RatingThreshold = 3f };

    [Theory]
    [InlineData(5, true)] // MovieLens stars: confidences stored as one-byte codes
    [InlineData(1000, false)] // more distinct interaction values than a byte can name: floats
    public void Every_row_holds_its_interactions_with_the_confidence_of_their_rating(int distinctValues, bool codes)
    {
        var random = new Random(7);
        var count = 3000;
        var users = new int[count];
        var items = new int[count];
        var values = new float[count];
        for (var n = 0; n < count; n++)
        {
            users[n] = random.Next(40);
            items[n] = random.Next(60);
            // Values 1..5 in distinctValues even steps.
            values[n] = 1f + (4f * random.Next(distinctValues) / (distinctValues - 1));
        }

        var ratings = new IndexedRatings(users, items, values, 40, 60);

        var (byUser, byItem, mean) = InteractionMatrix.Build(ratings, Parameters);

        Assert.Equal(codes, byUser.StoresCodes);
        Assert.Equal(codes, byItem.StoresCodes);
        var kept = Enumerable.Range(0, count).Where(n => values[n] >= 3f).ToArray();
        Assert.Equal(kept.Length, byUser.Count);
        Assert.Equal(kept.Average(n => (double)values[n]), mean, 5);
        AssertRows(byUser, kept.Select(n => (users[n], items[n], values[n])));
        AssertRows(byItem, kept.Select(n => (items[n], users[n], values[n])));
    }

    /// <summary>Each row's (column, confidence) pairs are those of its ratings, in rating order.</summary>
    private static void AssertRows(InteractionMatrix matrix, IEnumerable<(int Row, int Column, float Value)> expected)
    {
        var buffer = new float[matrix.MaxRowLength];
        var byRow = expected.ToLookup(e => e.Row);
        for (var row = 0; row < matrix.RowCount; row++)
        {
            var want = byRow[row].Select(e => (e.Column, Parameters.ConfidenceOf(e.Value))).ToArray();
            var columns = matrix.ColumnsOf(row).ToArray();
            var confidences = matrix.ConfidenceOf(row, buffer).ToArray();
            Assert.Equal(want, columns.Zip(confidences).ToArray());
        }
    }
}
