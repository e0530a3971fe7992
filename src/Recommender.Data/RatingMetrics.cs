namespace Recommender.Data;

/// <summary>Rating-prediction errors. Accumulated in double so 25 M float errors do not lose precision.</summary>
public static class RatingMetrics
{
    /// <summary>Root mean squared error; NaN for empty input (nothing to evaluate is not zero error).</summary>
    public static double Rmse(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        CheckLengths(actual, predicted);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            double e = actual[i] - predicted[i];
            sum += e * e;
        }

        return actual.IsEmpty ? double.NaN : Math.Sqrt(sum / actual.Length);
    }

    /// <summary>Mean absolute error; NaN for empty input.</summary>
    public static double Mae(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        CheckLengths(actual, predicted);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs((double)actual[i] - predicted[i]);
        }

        return actual.IsEmpty ? double.NaN : sum / actual.Length;
    }

    private static void CheckLengths(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        if (actual.Length != predicted.Length)
        {
            throw new ArgumentException($"{actual.Length} actual ratings but {predicted.Length} predictions.", nameof(predicted));
        }
    }
}
