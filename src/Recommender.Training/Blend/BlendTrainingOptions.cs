namespace Recommender.Training.Blend;

/// <summary>How the blend kind fits its weights and its baseline member.</summary>
public sealed record BlendTrainingOptions
{
    /// <summary>Ridge penalty on the weights, per validation rating (keeps nearly collinear members stable).</summary>
    public double Ridge { get; init; } = 1e-4;

    /// <summary>Adds mean + shrunk user and item biases as a member.</summary>
    public bool IncludeBaseline { get; init; } = true;

    /// <summary>Baseline shrinkage of user biases (ratings' worth of prior at zero); chosen on the validation part of ML-100K u1.</summary>
    public double BaselineUserShrinkage { get; init; } = 10;

    /// <summary>Baseline shrinkage of item biases.</summary>
    public double BaselineItemShrinkage { get; init; } = 25;

    /// <summary>
    /// Trains an item autoencoder (I-AutoRec) as a further member; null: none. It is the member
    /// that lifts the blend: on ML-100K u1's validation part the blend of MF, NeuMF and the
    /// baseline gains nothing over MF alone (0.902), with AutoRec it reaches 0.888.
    /// </summary>
    public AutoRecOptions? AutoRec { get; init; } = new();

    /// <summary>Folds of the cross-validation that reports the blend's out-of-sample validation RMSE.</summary>
    public int CrossValidationFolds { get; init; } = 5;

    public void Validate()
    {
        if (!double.IsFinite(Ridge) || Ridge < 0)
        {
            throw new ArgumentException($"Blend option {nameof(Ridge)} must be a non-negative finite number (got {Ridge}).", nameof(Ridge));
        }

        if (!double.IsFinite(BaselineUserShrinkage) || BaselineUserShrinkage < 0 || !double.IsFinite(BaselineItemShrinkage) || BaselineItemShrinkage < 0)
        {
            throw new ArgumentException("Blend baseline shrinkages must be non-negative finite numbers.", nameof(BaselineUserShrinkage));
        }

        AutoRec?.Validate();
        if (CrossValidationFolds < 2)
        {
            throw new ArgumentException($"Blend option {nameof(CrossValidationFolds)} must be at least 2 (got {CrossValidationFolds}).", nameof(CrossValidationFolds));
        }
    }
}
