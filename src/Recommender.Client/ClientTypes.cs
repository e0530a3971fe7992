using Recommender.Contracts.V1;

namespace Recommender.Client;

/// <summary>Which model answers: a name (empty: the server's only/default model), a version (0: the one being served) and a kind.</summary>
public sealed record ModelSelector(string? Name = null, long Version = 0, ModelKind Kind = ModelKind.Unspecified)
{
    internal ModelSpec ToSpec() => new() { Name = Name ?? "", Version = Version, Kind = Kind };
}

/// <summary>The model that produced an answer, as the server reports it on every response.</summary>
public sealed record ModelRef(string Name, long Version, ModelKind Kind)
{
    internal static ModelRef From(ModelIdentity? identity) =>
        identity is null ? new ModelRef("", 0, ModelKind.Unspecified) : new ModelRef(identity.Name, identity.Version, identity.Kind);
}

/// <summary>Options of <see cref="IRecommenderClient.PredictRatingsAsync(IReadOnlyList{ValueTuple{long, long}}, PredictOptions?, CancellationToken)"/>.</summary>
public sealed record PredictOptions
{
    public ModelSelector? Model { get; init; }

    /// <summary>
    /// Unknown users or items get the server's fallback (global/item mean) and are listed in
    /// <see cref="RatingPredictions.FallbackIndices"/>; otherwise the call fails with NOT_FOUND naming them.
    /// </summary>
    public bool FallbackForUnknownIds { get; init; }

    /// <summary>This call's deadline, instead of <see cref="RecommenderClientOptions.DefaultDeadline"/>.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>Options of <see cref="IRecommenderClient.RecommendAsync"/> and <see cref="IRecommenderClient.RecommendBatchAsync"/>.</summary>
public sealed record RecommendOptions
{
    public ModelSelector? Model { get; init; }

    /// <summary>Keep items the user rated in the training data (left out by default).</summary>
    public bool IncludeSeen { get; init; }

    /// <summary>Further items to leave out.</summary>
    public IReadOnlyCollection<long>? ExcludeItemIds { get; init; }

    /// <summary>When set, only these items are candidates.</summary>
    public IReadOnlyCollection<long>? CandidateItemIds { get; init; }

    /// <summary>Answer an unknown user with the most popular items instead of NOT_FOUND.</summary>
    public bool AllowPopularityFallback { get; init; }

    /// <summary>This call's deadline, instead of <see cref="RecommenderClientOptions.DefaultDeadline"/>.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>Predicted ratings, in request order, clipped to the model's rating range.</summary>
public sealed record RatingPredictions(ModelRef Model, IReadOnlyList<float> Ratings, IReadOnlyList<int> FallbackIndices);

/// <summary>One recommended item; title and genres where the catalog has them.</summary>
public sealed record RecommendedItem(long ItemId, float Score, string Title, IReadOnlyList<string> Genres)
{
    internal static RecommendedItem From(ScoredItem item) => new(item.ItemId, item.Score, item.Title, [.. item.Genres]);
}

/// <summary>Top-N for one user, best first. <see cref="PopularityFallback"/>: the user was unknown and these are the most popular items.</summary>
public sealed record Recommendations(ModelRef Model, long UserId, IReadOnlyList<RecommendedItem> Items, bool PopularityFallback);
