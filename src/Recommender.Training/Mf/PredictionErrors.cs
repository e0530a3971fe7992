using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

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

    /// <summary>
    /// Sums over packed entries whose rows are the parameters' internal rows minus
    /// <paramref name="firstUser"/> and <paramref name="firstItem"/> (0 for <see cref="RatingEntry"/>;
    /// a grid block's groups' first rows for <see cref="GridEntry"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe (double SquaredSum, double AbsoluteSum) Sum<TEntry>(
        MfParameters parameters, ReadOnlySpan<TEntry> entries, int firstUser, int firstItem, float minRating, float maxRating)
        where TEntry : unmanaged, IRatingEntry
    {
        var stride = parameters.Stride;
        var factors = parameters.Factors;
        var mean = parameters.GlobalMean;

        // Padded rows use the SGD kernel's dot product: the trainer evaluates the whole training
        // set after every epoch, and at k = 100 a general-purpose dot per rating costs nearly as
        // much as the SGD step itself. Indices were range-checked before training.
        var padded = stride % 8 == 0;
        double squared = 0;
        double absolute = 0;
        fixed (float* userFactors = parameters.UserFactors)
        fixed (float* itemFactors = parameters.ItemFactors)
        fixed (float* userBias = parameters.UserBias)
        fixed (float* itemBias = parameters.ItemBias)
        fixed (TEntry* first = entries)
        {
            var biased = userBias != null;
            for (var n = 0; n < entries.Length; n++)
            {
                var entry = first[n];
                var user = firstUser + entry.User;
                var item = firstItem + entry.Item;
                var p = userFactors + ((nint)user * stride);
                var q = itemFactors + ((nint)item * stride);
                var score = padded
                    ? BiasedSgdKernel.Dot(p, q, stride)
                    : TensorPrimitives.Dot(new ReadOnlySpan<float>(p, factors), new ReadOnlySpan<float>(q, factors));
                if (biased)
                {
                    score += mean + userBias[user] + itemBias[item];
                }

                double error = entry.Value - Math.Clamp(score, minRating, maxRating);
                squared += error * error;
                absolute += Math.Abs(error);
            }
        }

        return (squared, absolute);
    }
}
