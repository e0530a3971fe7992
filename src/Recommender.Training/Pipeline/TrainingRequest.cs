using Recommender.Data;
using Recommender.Training.Blend;
using Recommender.Training.Implicit;
using Recommender.Training.Mf;
using Recommender.Training.Neural;

namespace Recommender.Training.Pipeline;

/// <summary>
/// One training run: a dataset folder, a split, and the models to train (any of MF, neural, implicit).
/// A run publishes exactly one model version.
/// </summary>
public sealed record TrainingRequest(
    string ModelName,
    string DatasetFolder,
    SplitSpec Split,
    int SplitSeed,
    MfTrainingOptions? Mf,
    NeuralTrainingOptions? Neural)
{
    /// <summary>The implicit-feedback model's options, or null to not train one.</summary>
    public ImplicitTrainingOptions? Implicit { get; init; }

    /// <summary>Fit a blend of the other rating kinds (and a baseline) on the validation part; null: no blend.</summary>
    public BlendTrainingOptions? Blend { get; init; }

    /// <summary>Top-k for the ranking metrics recorded in the manifest.</summary>
    public int RankingK { get; init; } = 10;

    /// <summary>Users ranked for the ranking metrics (a seeded sample on large datasets).</summary>
    public int MaxRankingUsers { get; init; } = 1000;

    /// <summary>The validation fraction used when a request names none and the split holds a test part.</summary>
    public const double DefaultValidationFraction = 0.05;

    /// <summary>
    /// The part of the training split carved out (seeded by <see cref="SplitSeed"/>) to choose
    /// epochs, early stopping and blend weights, so that the test split is scored once and chooses
    /// nothing. 0 disables it; null means <see cref="DefaultValidationFraction"/> when the split
    /// holds out a test part and 0 otherwise (the notebook's <c>--split none</c> runs train on everything).
    /// </summary>
    public double? ValidationFraction { get; init; }

    /// <summary>The fraction this request carves out, after applying the default.</summary>
    public double EffectiveValidationFraction =>
        ValidationFraction ?? (Split.Kind == SplitKind.None ? 0 : DefaultValidationFraction);
}
