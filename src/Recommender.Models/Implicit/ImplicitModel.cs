namespace Recommender.Models.Implicit;

/// <summary>
/// A trained implicit-feedback factorization (weighted ALS): row-major user and item factors over
/// dense indices, where score(u, i) = p_u · q_i ranks items for a user (it is not a rating). It
/// carries what folding a new user in needs: the <see cref="ImplicitSolveParameters"/> training
/// used, and the rating to assume for a history item given without one.
/// </summary>
public sealed class ImplicitModel
{
    public ImplicitModel(
        int userCount,
        int itemCount,
        int factors,
        float[] userFactors,
        float[] itemFactors,
        int[] itemInteractions,
        ImplicitSolveParameters parameters,
        float defaultRating)
    {
        ArgumentNullException.ThrowIfNull(userFactors);
        ArgumentNullException.ThrowIfNull(itemFactors);
        ArgumentNullException.ThrowIfNull(itemInteractions);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factors);
        ArgumentOutOfRangeException.ThrowIfNegative(userCount);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        if (userFactors.Length != (long)userCount * factors)
        {
            throw new ArgumentException($"User factors hold {userFactors.Length} values; expected {userCount} x {factors}.", nameof(userFactors));
        }

        if (itemFactors.Length != (long)itemCount * factors)
        {
            throw new ArgumentException($"Item factors hold {itemFactors.Length} values; expected {itemCount} x {factors}.", nameof(itemFactors));
        }

        if (itemInteractions.Length != itemCount)
        {
            throw new ArgumentException($"Item interaction counts hold {itemInteractions.Length} values; expected {itemCount}.", nameof(itemInteractions));
        }

        if (!float.IsFinite(defaultRating))
        {
            throw new ArgumentException($"The default rating must be finite (got {defaultRating}).", nameof(defaultRating));
        }

        parameters.Validate();
        UserCount = userCount;
        ItemCount = itemCount;
        Factors = factors;
        UserFactors = userFactors;
        ItemFactors = itemFactors;
        ItemInteractions = itemInteractions;
        Parameters = parameters;
        DefaultRating = defaultRating;
    }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int Factors { get; }

    /// <summary>UserCount x Factors, row-major.</summary>
    public float[] UserFactors { get; }

    /// <summary>ItemCount x Factors, row-major.</summary>
    public float[] ItemFactors { get; }

    /// <summary>Training interactions per item: the popularity ranking, e.g. for a fallback list.</summary>
    public int[] ItemInteractions { get; }

    /// <summary>The loss training minimized; fold-in solves the same one.</summary>
    public ImplicitSolveParameters Parameters { get; }

    /// <summary>
    /// The rating assumed for a history item given without one (the mean rating of the training
    /// interactions), so that its confidence under <see cref="ImplicitConfidence.Linear"/> is typical.
    /// </summary>
    public float DefaultRating { get; }

    public ReadOnlySpan<float> UserRow(int user) => UserFactors.AsSpan(user * Factors, Factors);

    public ReadOnlySpan<float> ItemRow(int item) => ItemFactors.AsSpan(item * Factors, Factors);

    /// <summary>The ranking score of a dense (user, item) pair.</summary>
    public float Score(int user, int item) => VectorOps.Dot(UserRow(user), ItemRow(item));
}
