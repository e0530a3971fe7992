using Recommender.Data;

namespace Recommender.Training.Pipeline;

/// <summary>
/// What every kind trains from: the request, the loaded dataset and its split, and the rating
/// scale; the ratings to fit and the validation ratings that choose epochs (carved from the
/// training split, never the test split); the models trained before this kind in the same run;
/// plus the held-out evaluation every kind reports the same way.
/// </summary>
public sealed record TrainingContext(TrainingRequest Request, Dataset Dataset, TrainingSet Set, float MinRating, float MaxRating, float TrainMean)
{
    /// <summary>The ratings models fit: the training split minus <see cref="Validation"/>.</summary>
    public IndexedRatings Fit { get; init; } = Set.Train;

    /// <summary>
    /// The validation ratings (carved from the training split), or null when the request carves
    /// none. Per-epoch validation RMSE, early stopping and blend weights use these; the test split
    /// is only scored, once, by <see cref="Evaluate"/>.
    /// </summary>
    public IndexedRatings? Validation { get; init; }

    /// <summary>
    /// The kinds trained earlier in this run, in training order (a blend combines them). The
    /// pipeline adds each model as it finishes.
    /// </summary>
    public IReadOnlyList<TrainedModel> Trained { get; init; } = [];

    /// <summary>The task this kind's <see cref="ITrainingKind.StartEarly"/> started for this run, or null.</summary>
    public Task<object>? EarlyWork { get; init; }

    /// <summary>What chose a kind's epoch: "validation" when validation ratings exist, else "none" (the last epoch).</summary>
    public string EpochChosenOn => Validation is null ? "none" : "validation";

    /// <summary>
    /// Held-out RMSE/MAE and ranking metrics for a pair scorer; null without a held-out part. Test
    /// pairs with a user or item unseen in training get the training mean, or what
    /// <paramref name="coldScorer"/> (a model with feature-only rows for them) predicts.
    /// </summary>
    public EvaluationReport? Evaluate(PairScorer scorer, CancellationToken cancellationToken, ColdPairScorer? coldScorer = null) =>
        Set.TestCount == 0
            ? null
            : HeldOutEvaluator.Evaluate(Set, scorer, coldScorer, MinRating, MaxRating, TrainMean, Request.RankingK, Request.MaxRankingUsers, Request.SplitSeed,
                RankingMetrics.DefaultRelevanceThreshold, cancellationToken);

    /// <summary>
    /// Ranking metrics alone (for rankers whose scores are not ratings) under one relevance
    /// protocol: held-out items rated at or above <paramref name="relevanceThreshold"/>, or every
    /// held-out item when it is null. Null without a held-out part.
    /// </summary>
    public RankingReport? EvaluateRanking(PairScorer scorer, float? relevanceThreshold, CancellationToken cancellationToken) =>
        Set.TestKnown.Count == 0
            ? null
            : HeldOutEvaluator.EvaluateRanking(Set, scorer, Request.RankingK, Request.MaxRankingUsers, Request.SplitSeed, relevanceThreshold, cancellationToken);

    /// <summary>Builds the context of a run: carves the validation part as the request asks.</summary>
    public static TrainingContext Create(TrainingRequest request, Dataset dataset, TrainingSet set, float minRating, float maxRating, float trainMean, IReadOnlyList<TrainedModel> trained)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(set);
        var fraction = request.EffectiveValidationFraction;
        if (fraction == 0 || set.Train.Count == 0)
        {
            return new TrainingContext(request, dataset, set, minRating, maxRating, trainMean) { Trained = trained };
        }

        var carve = ValidationCarver.Carve(set.Train, fraction, request.SplitSeed);
        return new TrainingContext(request, dataset, set, minRating, maxRating, trainMean)
        {
            Fit = carve.Fit,
            Validation = carve.Validation,
            Trained = trained,
        };
    }
}
