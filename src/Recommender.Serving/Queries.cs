namespace Recommender.Serving;

/// <summary>Which model a request wants: empty name = the only served model, version 0 = the served one.</summary>
public sealed record ModelSelector(string? Name, long Version, ServedKind? Kind);

/// <summary>What answered a request.</summary>
public sealed record AnsweredBy(string Name, long Version, ServedKind Kind);

/// <summary>How ids the model has never seen are treated.</summary>
public enum UnknownIdHandling
{
    /// <summary>NOT_FOUND naming the ids (default).</summary>
    Reject,

    /// <summary>Answer the training mean rating and report the pair's index.</summary>
    Fallback,
}

public sealed record PredictionQuery(ModelSelector Model, ReadOnlyMemory<long> UserIds, ReadOnlyMemory<long> ItemIds, UnknownIdHandling UnknownIds);

public sealed record PredictionResult(AnsweredBy Model, float[] Ratings, int[] FallbackIndices);

public sealed record RecommendationQuery(
    ModelSelector Model,
    IReadOnlyList<long> UserIds,
    int TopN,
    bool IncludeSeen,
    IReadOnlyList<long> ExcludeItemIds,
    IReadOnlyList<long> CandidateItemIds,
    bool AllowPopularityFallback)
{
    /// <summary>The request field that holds the users, as error messages name it.</summary>
    public string UserIdsField { get; init; } = "user_ids";

    /// <summary>Items the user interacted with, folded into a user vector (history-based Recommend); empty for none.</summary>
    public IReadOnlyList<long> HistoryItemIds { get; init; } = [];

    /// <summary>Ratings of <see cref="HistoryItemIds"/>, same length, or empty.</summary>
    public IReadOnlyList<float> HistoryRatings { get; init; } = [];

    /// <summary>What to do with history ids the model does not know.</summary>
    public UnknownIdHandling UnknownHistoryIds { get; init; } = UnknownIdHandling.Reject;
}

public sealed record SimilarItemsQuery(ModelSelector Model, IReadOnlyList<long> ItemIds, int TopN, IReadOnlyList<long> ExcludeItemIds);

/// <summary>The items most similar to one item, most similar first (scores are cosine similarities).</summary>
public sealed record ItemNeighbours(long ItemId, IReadOnlyList<RecommendedItem> Items);

public sealed record SimilarItemsResult(AnsweredBy Model, IReadOnlyList<ItemNeighbours> Items);

public sealed record RecommendedItem(long ItemId, float Score, string? Title, IReadOnlyList<string> Genres);

/// <summary>One user's top-N. With <see cref="PopularityFallback"/>, scores are training rating counts.</summary>
public sealed record UserRecommendation(long UserId, IReadOnlyList<RecommendedItem> Items, bool PopularityFallback);

public sealed record RecommendationResult(AnsweredBy Model, IReadOnlyList<UserRecommendation> Users);
