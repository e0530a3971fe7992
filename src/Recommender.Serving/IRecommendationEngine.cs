namespace Recommender.Serving;

/// <summary>Rating prediction, top-N and similar items over the served versions: what the gRPC service calls.</summary>
public interface IRecommendationEngine
{
    Task<PredictionResult> PredictAsync(PredictionQuery query, CancellationToken cancellationToken);

    Task<RecommendationResult> RecommendAsync(RecommendationQuery query, CancellationToken cancellationToken);

    Task<SimilarItemsResult> SimilarItemsAsync(SimilarItemsQuery query, CancellationToken cancellationToken);
}
