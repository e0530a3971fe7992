using Recommender.Data;
using Recommender.Models.Mf;

namespace Recommender.Training.Mf;

/// <summary>
/// Error metrics of a trained model on a set of ratings, with predictions clipped to the model's
/// rating range (what a served prediction returns).
/// </summary>
public static class MfEvaluator
{
    public static double Rmse(MfModel model, IndexedRatings ratings) =>
        Math.Sqrt(Sums(model, ratings).SquaredSum / ratings.Count);

    public static double Mae(MfModel model, IndexedRatings ratings) =>
        Sums(model, ratings).AbsoluteSum / ratings.Count;

    private static (double SquaredSum, double AbsoluteSum) Sums(MfModel model, IndexedRatings ratings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ratings);
        if (ratings.Count == 0)
        {
            throw new ArgumentException("Cannot evaluate on an empty rating set.", nameof(ratings));
        }

        RatingIndexCheck.Ensure(ratings, model.UserCount, model.ItemCount, nameof(ratings));

        // Fixed chunks summed in chunk order: parallel, yet the same result on any core count.
        const int chunkSize = 65536;
        var chunks = (ratings.Count + chunkSize - 1) / chunkSize;
        var partial = new (double SquaredSum, double AbsoluteSum)[chunks];
        Parallel.For(0, chunks, chunk =>
        {
            var start = chunk * chunkSize;
            var count = Math.Min(chunkSize, ratings.Count - start);
            partial[chunk] = PredictionErrors.Sum(
                model.UserFactors,
                model.ItemFactors,
                model.Factors,
                model.Factors,
                model.Biases?.GlobalMean ?? 0f,
                model.Biases?.User,
                model.Biases?.Item,
                ratings.Users.AsSpan(start, count),
                ratings.Items.AsSpan(start, count),
                ratings.Values.AsSpan(start, count),
                model.MinRating,
                model.MaxRating);
        });

        double squared = 0;
        double absolute = 0;
        foreach (var (sse, sae) in partial)
        {
            squared += sse;
            absolute += sae;
        }

        return (squared, absolute);
    }
}
