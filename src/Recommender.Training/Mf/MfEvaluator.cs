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
        return PredictionErrors.Sum(
            model.UserFactors,
            model.ItemFactors,
            model.Factors,
            model.Factors,
            model.Biases?.GlobalMean ?? 0f,
            model.Biases?.User,
            model.Biases?.Item,
            ratings.Users,
            ratings.Items,
            ratings.Values,
            model.MinRating,
            model.MaxRating);
    }
}
