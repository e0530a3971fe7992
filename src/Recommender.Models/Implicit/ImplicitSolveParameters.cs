using System.Globalization;

namespace Recommender.Models.Implicit;

/// <summary>
/// What turns ratings into the weighted least-squares problem of implicit ALS, for training and
/// for folding a new user's history in against fixed item factors (both must use the same values,
/// so they travel with the model). The loss of one user row p over the item factors q_i is
/// <code>
///   Σ_{i observed} c_i (p·q_i − 1)²  +  α0 Σ_{i unobserved} (p·q_i)²  +  λ_u ‖p‖²
///   c_i = 1 + α·r_i (Linear) or 1 + α (Constant);  λ_u = λ · (n_u + α0·N)^ν
/// </code>
/// where n_u is the row's interaction count and N the size of the other side (Rendle et al. 2022,
/// "Revisiting the Performance of iALS": frequency-scaled regularization keeps one λ good for rows
/// with 20 and with 2,000 interactions). A rating is an interaction when it is at or above
/// <see cref="RatingThreshold"/> (every rating when that is null); the rest count as unobserved.
/// </summary>
public sealed record ImplicitSolveParameters
{
    /// <summary>λ: the base L2 penalty; must be positive, so every row system is positive definite.</summary>
    public float Regularization { get; init; } = 1f;

    /// <summary>α: how much more an observed interaction weighs than an unobserved pair.</summary>
    public float Alpha { get; init; } = 1f;

    /// <summary>α0: the weight of every unobserved (user, item) pair, pushing its score towards 0.</summary>
    public float UnobservedWeight { get; init; } = 1f;

    /// <summary>ν: 0 gives the same λ to every row; 1 scales it with the row's total weight.</summary>
    public float RegularizationExponent { get; init; }

    public ImplicitConfidence Confidence { get; init; } = ImplicitConfidence.Linear;

    /// <summary>Ratings below this are not interactions; null makes every rating one.</summary>
    public float? RatingThreshold { get; init; }

    /// <summary>True when a rating counts as an interaction.</summary>
    public bool IsInteraction(float rating) => RatingThreshold is not { } threshold || rating >= threshold;

    /// <summary>The weight c of an observed interaction with this rating.</summary>
    public float ConfidenceOf(float rating) =>
        Confidence == ImplicitConfidence.Linear ? 1f + (Alpha * rating) : 1f + Alpha;

    /// <summary>λ_row = λ · (interactions + α0 · otherSideCount)^ν.</summary>
    public float RowRegularization(int interactions, int otherSideCount) =>
        RegularizationExponent == 0f
            ? Regularization
            : Regularization * MathF.Pow(interactions + (UnobservedWeight * otherSideCount), RegularizationExponent);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid value.</summary>
    public void Validate()
    {
        if (!float.IsFinite(Regularization) || Regularization <= 0f)
        {
            throw Invalid(nameof(Regularization), $"must be a positive finite number (got {Regularization}).");
        }

        if (!float.IsFinite(Alpha) || Alpha < 0f)
        {
            throw Invalid(nameof(Alpha), $"must be a non-negative finite number (got {Alpha}).");
        }

        if (!float.IsFinite(UnobservedWeight) || UnobservedWeight < 0f)
        {
            throw Invalid(nameof(UnobservedWeight), $"must be a non-negative finite number (got {UnobservedWeight}).");
        }

        if (!float.IsFinite(RegularizationExponent) || RegularizationExponent is < 0f or > 2f)
        {
            throw Invalid(nameof(RegularizationExponent), $"must be between 0 and 2 (got {RegularizationExponent}).");
        }

        if (!Enum.IsDefined(Confidence))
        {
            throw Invalid(nameof(Confidence), $"is not a known confidence mode ({(int)Confidence}).");
        }

        if (RatingThreshold is { } threshold && !float.IsFinite(threshold))
        {
            throw Invalid(nameof(RatingThreshold), $"must be a finite number or null for every rating (got {threshold}).");
        }
    }

    /// <summary>A one-line summary for logs and file metadata.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"reg={Regularization} alpha={Alpha} unobserved={UnobservedWeight} nu={RegularizationExponent} confidence={Confidence} threshold={(RatingThreshold is { } t ? t.ToString(CultureInfo.InvariantCulture) : "none")}");

    private static ArgumentException Invalid(string name, string problem) =>
        new($"Implicit option {name} {problem}", name);
}
