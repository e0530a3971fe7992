using Recommender.Data;
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

    /// <summary>Top-k for the ranking metrics recorded in the manifest.</summary>
    public int RankingK { get; init; } = 10;

    /// <summary>Users ranked for the ranking metrics (a seeded sample on large datasets).</summary>
    public int MaxRankingUsers { get; init; } = 1000;
}
