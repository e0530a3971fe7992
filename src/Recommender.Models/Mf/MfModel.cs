namespace Recommender.Models.Mf;

/// <summary>
/// A trained matrix factorization: row-major factor matrices over dense user and item indices,
/// and, for the biased variant, the global mean and per-user / per-item biases.
/// Prediction = [mean + b_u + b_i +] p_u · q_i, clipped to the rating range.
/// </summary>
public sealed class MfModel
{
    public MfModel(int userCount, int itemCount, int factors, float[] userFactors, float[] itemFactors,
        MfBiases? biases, float minRating = 1f, float maxRating = 5f)
    {
        ArgumentNullException.ThrowIfNull(userFactors);
        ArgumentNullException.ThrowIfNull(itemFactors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factors);
        if (userFactors.Length != (long)userCount * factors)
        {
            throw new ArgumentException($"User factors hold {userFactors.Length} values; expected {userCount} x {factors}.", nameof(userFactors));
        }

        if (itemFactors.Length != (long)itemCount * factors)
        {
            throw new ArgumentException($"Item factors hold {itemFactors.Length} values; expected {itemCount} x {factors}.", nameof(itemFactors));
        }

        if (biases is not null && (biases.User.Length != userCount || biases.Item.Length != itemCount))
        {
            throw new ArgumentException("Bias vectors must match the user and item counts.", nameof(biases));
        }

        UserCount = userCount;
        ItemCount = itemCount;
        Factors = factors;
        UserFactors = userFactors;
        ItemFactors = itemFactors;
        Biases = biases;
        MinRating = minRating;
        MaxRating = maxRating;
    }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int Factors { get; }

    /// <summary>UserCount x Factors, row-major.</summary>
    public float[] UserFactors { get; }

    /// <summary>ItemCount x Factors, row-major.</summary>
    public float[] ItemFactors { get; }

    /// <summary>Null for the seed (unbiased) variant.</summary>
    public MfBiases? Biases { get; }

    public float MinRating { get; }

    public float MaxRating { get; }

    public ReadOnlySpan<float> UserRow(int user) => UserFactors.AsSpan(user * Factors, Factors);

    public ReadOnlySpan<float> ItemRow(int item) => ItemFactors.AsSpan(item * Factors, Factors);

    /// <summary>The unclipped score of a dense (user, item) pair.</summary>
    public float RawScore(int user, int item)
    {
        var dot = System.Numerics.Tensors.TensorPrimitives.Dot(UserRow(user), ItemRow(item));
        return Biases is null ? dot : Biases.GlobalMean + Biases.User[user] + Biases.Item[item] + dot;
    }

    /// <summary>The predicted rating of a dense (user, item) pair, clipped to the rating range.</summary>
    public float Predict(int user, int item) => Math.Clamp(RawScore(user, item), MinRating, MaxRating);
}

/// <summary>The bias terms of the biased variant.</summary>
public sealed record MfBiases(float GlobalMean, float[] User, float[] Item);
