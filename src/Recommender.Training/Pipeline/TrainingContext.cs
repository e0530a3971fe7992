using Recommender.Data;

namespace Recommender.Training.Pipeline;

/// <summary>
/// What every kind trains from: the request, the loaded dataset and its split, and the rating
/// scale; plus the held-out evaluation every kind reports the same way.
/// </summary>
public sealed record TrainingContext(TrainingRequest Request, Dataset Dataset, TrainingSet Set, float MinRating, float MaxRating, float TrainMean)
{
    /// <summary>The held-out pairs whose user and item are known, or null when the split holds none.</summary>
    public IndexedRatings? Validation => Set.TestKnown.Count > 0 ? Set.TestKnown : null;

    /// <summary>Held-out RMSE/MAE and ranking metrics for a pair scorer; null without a held-out part.</summary>
    public EvaluationReport? Evaluate(PairScorer scorer, CancellationToken cancellationToken) =>
        Set.TestCount == 0
            ? null
            : HeldOutEvaluator.Evaluate(Set, scorer, MinRating, MaxRating, TrainMean, Request.RankingK, Request.MaxRankingUsers, Request.SplitSeed, cancellationToken);

    /// <summary>
    /// Ranking metrics alone (for rankers whose scores are not ratings) under one relevance
    /// protocol: held-out items rated at or above <paramref name="relevanceThreshold"/>, or every
    /// held-out item when it is null. Null without a held-out part.
    /// </summary>
    public RankingReport? EvaluateRanking(PairScorer scorer, float? relevanceThreshold, CancellationToken cancellationToken) =>
        Set.TestKnown.Count == 0
            ? null
            : HeldOutEvaluator.EvaluateRanking(Set, scorer, Request.RankingK, Request.MaxRankingUsers, Request.SplitSeed, relevanceThreshold, cancellationToken);
}
