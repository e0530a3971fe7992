using Grpc.Core;
using Recommender.Contracts.V1;
using Recommender.Hosting;
using Recommender.Models.Repository;
using Recommender.Serving;

namespace Recommender.InferenceService;

/// <summary>The InferenceService contract over the serving domain. Mapping only.</summary>
internal sealed class InferenceGrpcService(IRecommendationEngine engine, ModelRegistry registry, DomainErrors errors)
    : Contracts.V1.InferenceService.InferenceServiceBase
{
    public override Task<PredictRatingsResponse> PredictRatings(PredictRatingsRequest request, ServerCallContext context) =>
        errors.Translate(async () =>
        {
            RequestValidation.Check(request);
            // One copy of each id column (8 bytes a pair) decouples the domain from protobuf types.
            var query = new PredictionQuery(request.Model.ToSelector(),
                request.UserIds.ToArray(), request.ItemIds.ToArray(), request.UnknownIdPolicy.ToDomain());
            var result = await engine.PredictAsync(query, context.CancellationToken).ConfigureAwait(false);
            var response = new PredictRatingsResponse { Model = result.Model.ToContract() };
            response.Ratings.AddRange(result.Ratings);
            response.FallbackIndices.AddRange(result.FallbackIndices);
            return response;
        });

    public override Task<RecommendResponse> Recommend(RecommendRequest request, ServerCallContext context) =>
        errors.Translate(async () =>
        {
            RequestValidation.Check(request);
            var query = new RecommendationQuery(request.Model.ToSelector(), [request.UserId], request.TopN,
                request.IncludeSeen, request.ExcludeItemIds, request.CandidateItemIds, request.AllowPopularityFallback)
            {
                UserIdsField = "user_id",
                HistoryItemIds = request.HistoryItemIds,
                HistoryRatings = request.HistoryRatings,
                UnknownHistoryIds = request.UnknownIdPolicy.ToDomain(),
            };
            var result = await engine.RecommendAsync(query, context.CancellationToken).ConfigureAwait(false);
            var user = result.Users[0];
            var response = new RecommendResponse
            {
                Model = result.Model.ToContract(),
                UserId = user.UserId,
                PopularityFallback = user.PopularityFallback,
            };
            response.Items.AddRange(user.Items.Select(ContractMapping.ToContract));
            return response;
        });

    public override Task<RecommendBatchResponse> RecommendBatch(RecommendBatchRequest request, ServerCallContext context) =>
        errors.Translate(async () =>
        {
            RequestValidation.Check(request);
            var query = new RecommendationQuery(request.Model.ToSelector(), request.UserIds, request.TopN,
                request.IncludeSeen, request.ExcludeItemIds, request.CandidateItemIds, request.AllowPopularityFallback);
            var result = await engine.RecommendAsync(query, context.CancellationToken).ConfigureAwait(false);
            var response = new RecommendBatchResponse { Model = result.Model.ToContract() };
            response.Results.AddRange(result.Users.Select(ContractMapping.ToContract));
            return response;
        });

    public override Task<SimilarItemsResponse> SimilarItems(SimilarItemsRequest request, ServerCallContext context) =>
        errors.Translate(async () =>
        {
            RequestValidation.Check(request);
            var query = new SimilarItemsQuery(request.Model.ToSelector(), request.ItemIds, request.TopN, request.ExcludeItemIds);
            var result = await engine.SimilarItemsAsync(query, context.CancellationToken).ConfigureAwait(false);
            var response = new SimilarItemsResponse { Model = result.Model.ToContract() };
            response.Results.AddRange(result.Items.Select(ContractMapping.ToContract));
            return response;
        });

    public override Task<GetModelInfoResponse> GetModelInfo(GetModelInfoRequest request, ServerCallContext context) =>
        errors.Translate(() =>
        {
            RequestValidation.Check(request);
            var response = new GetModelInfoResponse();
            foreach (var lease in registry.AcquireAll())
            {
                using (lease)
                {
                    if (request.Name.Length == 0 || request.Name == lease.Model.Name)
                    {
                        response.Models.Add(ModelInfoMapping.Describe(lease.Model));
                    }
                }
            }

            if (request.Name.Length > 0 && response.Models.Count == 0)
            {
                throw new ModelNotFoundException($"Model '{request.Name}' is not served.");
            }

            return Task.FromResult(response);
        });
}
