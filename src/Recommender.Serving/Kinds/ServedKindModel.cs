namespace Recommender.Serving;

/// <summary>
/// What one kind of a loaded version serves: a pair scorer for PredictRatings and/or a ranker for
/// Recommend, built by the kind's <see cref="IServingKind"/>. The engine calls these and knows no
/// kind by name. Disposes what the kind opened (ONNX sessions, a batcher) when the version closes.
/// </summary>
public sealed class ServedKindModel(
    ServedKind kind,
    IPairScorer? ratings,
    IRanker? ranker,
    bool scoresAreRatings,
    string? executionProvider,
    IReadOnlyList<object> resources) : IAsyncDisposable
{
    public ServedKind Kind { get; } = kind;

    /// <summary>PredictRatings; null when the kind's scores are not ratings (an implicit-feedback model).</summary>
    public IPairScorer? Ratings { get; } = ratings;

    /// <summary>Recommend; null when the kind cannot rank the catalog.</summary>
    public IRanker? Ranker { get; } = ranker;

    /// <summary>Recommend from a history of items (fold-in); null when the kind cannot.</summary>
    public IHistoryRanker? History { get; init; }

    /// <summary>SimilarItems; null when the kind has no item representation to compare.</summary>
    public IItemSimilarity? Similarity { get; init; }

    /// <summary>
    /// Scores chosen items for one user (the second stage of <see cref="TwoStageRanker"/>); null when
    /// the kind ranks only whole catalogs or is cheap enough to need no first stage.
    /// </summary>
    public TwoStageRanker.ScoreCandidates? CandidateScorer { get; init; }

    /// <summary>
    /// PredictRatings for pairs with a user or item that has no training rating but a row in the
    /// version's cold ids (<see cref="Models.Repository.ModelVersionBundle.ColdIds"/>): scores
    /// indices of the extended space (id-map count + k for cold ids). Null: such pairs get the
    /// training mean, as unknown ids do.
    /// </summary>
    public IPairScorer? ColdRatings { get; init; }

    /// <summary>True when scores are on the rating scale (clipped before they are answered).</summary>
    public bool ScoresAreRatings { get; } = scoresAreRatings;

    /// <summary>The ONNX Runtime provider this kind runs on, or null when it runs no ONNX graph.</summary>
    public string? ExecutionProvider { get; } = executionProvider;

    /// <summary>The same kind (same resources, disposed once by whichever instance is served) ranking with <paramref name="replacement"/>.</summary>
    public ServedKindModel WithRanker(IRanker replacement) =>
        new(Kind, Ratings, replacement, ScoresAreRatings, ExecutionProvider, resources)
        {
            History = History,
            Similarity = Similarity,
            CandidateScorer = CandidateScorer,
            ColdRatings = ColdRatings,
        };

    /// <summary>The same kind (same resources, disposed once by whichever instance is served) answering cold pairs with <paramref name="cold"/>.</summary>
    public ServedKindModel WithColdRatings(IPairScorer cold) =>
        new(Kind, Ratings, Ranker, ScoresAreRatings, ExecutionProvider, resources)
        {
            History = History,
            Similarity = Similarity,
            CandidateScorer = CandidateScorer,
            ColdRatings = cold,
        };

    public async ValueTask DisposeAsync()
    {
        // Reverse order of creation: a batcher drains before the session under it closes.
        for (var i = resources.Count - 1; i >= 0; i--)
        {
            switch (resources[i])
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
