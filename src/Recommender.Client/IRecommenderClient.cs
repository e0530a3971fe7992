using Recommender.Contracts.V1;

namespace Recommender.Client;

/// <summary>
/// The inference service, typed. The data-plane calls (predict, recommend) return small immutable
/// records so callers don't handle protobuf collections; <see cref="GetModelInfoAsync"/> returns the
/// proto message, which is already the descriptive shape and would only be copied field by field.
/// Failures surface as <see cref="Grpc.Core.RpcException"/> with the server's status: INVALID_ARGUMENT,
/// NOT_FOUND (naming unknown ids), RESOURCE_EXHAUSTED (over limits), FAILED_PRECONDITION (no model
/// loaded), DEADLINE_EXCEEDED, UNAVAILABLE (after the retries). Every call is idempotent and retried.
/// </summary>
public interface IRecommenderClient
{
    /// <summary>Predicts the rating of each (user, item) pair; the result is in the same order.</summary>
    Task<RatingPredictions> PredictRatingsAsync(IReadOnlyList<(long User, long Item)> pairs, PredictOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>Columnar form (as on the wire): <paramref name="userIds"/>[i] pairs with <paramref name="itemIds"/>[i].</summary>
    Task<RatingPredictions> PredictRatingsAsync(IReadOnlyList<long> userIds, IReadOnlyList<long> itemIds, PredictOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>The <paramref name="topN"/> best unseen items for one user, best first.</summary>
    Task<Recommendations> RecommendAsync(long userId, int topN, RecommendOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Top-N for many users in one call; one entry per user, in request order.</summary>
    Task<IReadOnlyList<Recommendations>> RecommendBatchAsync(IReadOnlyList<long> userIds, int topN, RecommendOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>What the server has loaded: versions, execution provider in use, metrics, catalog size. Empty name: every model.</summary>
    Task<GetModelInfoResponse> GetModelInfoAsync(string? modelName = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default);
}
