using System.Numerics.Tensors;

namespace Recommender.Training.Mf;

/// <summary>
/// Sums of squared and absolute errors of clipped predictions over a range of ratings: the one
/// place that defines how MSE, RMSE and MAE are measured, for the trainer's epoch reports and for
/// <see cref="MfEvaluator"/> alike. Sums are accumulated in double so that 10 M ratings lose nothing.
/// </summary>
internal static class PredictionErrors
{
    public static (double SquaredSum, double AbsoluteSum) Sum(
        ReadOnlySpan<float> userFactors,
        ReadOnlySpan<float> itemFactors,
        int stride,
        int factors,
        float globalMean,
        ReadOnlySpan<float> userBias,
        ReadOnlySpan<float> itemBias,
        ReadOnlySpan<int> users,
        ReadOnlySpan<int> items,
        ReadOnlySpan<float> values,
        float minRating,
        float maxRating)
    {
        var biased = !userBias.IsEmpty;
        double squared = 0;
        double absolute = 0;
        for (var n = 0; n < users.Length; n++)
        {
            var u = users[n];
            var i = items[n];
            var score = TensorPrimitives.Dot(userFactors.Slice(u * stride, factors), itemFactors.Slice(i * stride, factors));
            if (biased)
            {
                score += globalMean + userBias[u] + itemBias[i];
            }

            double error = values[n] - Math.Clamp(score, minRating, maxRating);
            squared += error * error;
            absolute += Math.Abs(error);
        }

        return (squared, absolute);
    }

    public static (double SquaredSum, double AbsoluteSum) Sum(MfParameters parameters, Data.IndexedRatings ratings, int start, int count, float minRating, float maxRating)
    {
        if (parameters.Stride % 8 == 0)
        {
            return SumPadded(parameters, ratings, start, count, minRating, maxRating);
        }

        return Sum(
            parameters.UserFactors,
            parameters.ItemFactors,
            parameters.Stride,
            parameters.Factors,
            parameters.GlobalMean,
            parameters.UserBias,
            parameters.ItemBias,
            ratings.Users.AsSpan(start, count),
            ratings.Items.AsSpan(start, count),
            ratings.Values.AsSpan(start, count),
            minRating,
            maxRating);
    }

    /// <summary>
    /// The same sums over SIMD-padded rows with the SGD kernel's dot product: the trainer evaluates
    /// the whole training set after every epoch, and at k = 100 a general-purpose dot per rating
    /// costs nearly as much as the SGD step itself. Indices were range-checked before training.
    /// </summary>
    private static unsafe (double SquaredSum, double AbsoluteSum) SumPadded(MfParameters parameters, Data.IndexedRatings ratings, int start, int count, float minRating, float maxRating)
    {
        var stride = parameters.Stride;
        var mean = parameters.GlobalMean;
        double squared = 0;
        double absolute = 0;
        fixed (float* userFactors = parameters.UserFactors)
        fixed (float* itemFactors = parameters.ItemFactors)
        fixed (float* userBias = parameters.UserBias)
        fixed (float* itemBias = parameters.ItemBias)
        fixed (int* users = &ratings.Users[start])
        fixed (int* items = &ratings.Items[start])
        fixed (float* values = &ratings.Values[start])
        {
            var biased = userBias != null;
            for (var n = 0; n < count; n++)
            {
                var u = users[n];
                var i = items[n];
                var score = BiasedSgdKernel.Dot(userFactors + ((nint)u * stride), itemFactors + ((nint)i * stride), stride);
                if (biased)
                {
                    score += mean + userBias[u] + itemBias[i];
                }

                double error = values[n] - Math.Clamp(score, minRating, maxRating);
                squared += error * error;
                absolute += Math.Abs(error);
            }
        }

        return (squared, absolute);
    }
}
