using Grpc.Core;
using Recommender.Contracts.V1;

namespace Recommender.Client;

/// <summary>
/// Wraps the generated <see cref="InferenceService.InferenceServiceClient"/>. Retries, load balancing
/// and the default deadline live on the channel (see <see cref="RecommenderClientServiceCollectionExtensions"/>);
/// this class maps friendly arguments to requests and responses to records.
/// </summary>
public sealed class RecommenderClient : IRecommenderClient
{
    private readonly InferenceService.InferenceServiceClient _client;
    private readonly TimeProvider _time;

    public RecommenderClient(InferenceService.InferenceServiceClient client, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _time = timeProvider ?? TimeProvider.System;
    }

    public Task<RatingPredictions> PredictRatingsAsync(IReadOnlyList<(long User, long Item)> pairs, PredictOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var request = NewPredictRequest(options);
        foreach (var (user, item) in pairs)
        {
            request.UserIds.Add(user);
            request.ItemIds.Add(item);
        }

        return PredictAsync(request, options, cancellationToken);
    }

    public Task<RatingPredictions> PredictRatingsAsync(IReadOnlyList<long> userIds, IReadOnlyList<long> itemIds, PredictOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        ArgumentNullException.ThrowIfNull(itemIds);
        if (userIds.Count != itemIds.Count)
        {
            // Caught here: the server would reject it too, but only after a round trip.
            throw new ArgumentException($"The columns differ in length: {userIds.Count} user ids, {itemIds.Count} item ids.", nameof(itemIds));
        }

        var request = NewPredictRequest(options);
        request.UserIds.AddRange(userIds);
        request.ItemIds.AddRange(itemIds);
        return PredictAsync(request, options, cancellationToken);
    }

    public async Task<Recommendations> RecommendAsync(long userId, int topN, RecommendOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new RecommendRequest
        {
            Model = options?.Model?.ToSpec(),
            UserId = userId,
            TopN = topN,
            IncludeSeen = options?.IncludeSeen ?? false,
            AllowPopularityFallback = options?.AllowPopularityFallback ?? false,
        };
        if (options?.ExcludeItemIds is { } exclude)
        {
            request.ExcludeItemIds.AddRange(exclude);
        }

        if (options?.CandidateItemIds is { } candidates)
        {
            request.CandidateItemIds.AddRange(candidates);
        }

        var response = await _client.RecommendAsync(request, CallOptions(options?.Timeout, cancellationToken)).ConfigureAwait(false);
        return new Recommendations(ModelRef.From(response.Model), response.UserId, [.. response.Items.Select(RecommendedItem.From)],
            response.PopularityFallback);
    }

    public async Task<IReadOnlyList<Recommendations>> RecommendBatchAsync(IReadOnlyList<long> userIds, int topN, RecommendOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        var request = new RecommendBatchRequest
        {
            Model = options?.Model?.ToSpec(),
            TopN = topN,
            IncludeSeen = options?.IncludeSeen ?? false,
            AllowPopularityFallback = options?.AllowPopularityFallback ?? false,
        };
        request.UserIds.AddRange(userIds);
        if (options?.ExcludeItemIds is { } exclude)
        {
            request.ExcludeItemIds.AddRange(exclude);
        }

        if (options?.CandidateItemIds is { } candidates)
        {
            request.CandidateItemIds.AddRange(candidates);
        }

        var response = await _client.RecommendBatchAsync(request, CallOptions(options?.Timeout, cancellationToken)).ConfigureAwait(false);
        var model = ModelRef.From(response.Model);
        return [.. response.Results.Select(r => new Recommendations(model, r.UserId, [.. r.Items.Select(RecommendedItem.From)], r.PopularityFallback))];
    }

    public async Task<GetModelInfoResponse> GetModelInfoAsync(string? modelName = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        await _client.GetModelInfoAsync(new GetModelInfoRequest { Name = modelName ?? "" }, CallOptions(timeout, cancellationToken)).ConfigureAwait(false);

    private static PredictRatingsRequest NewPredictRequest(PredictOptions? options) => new()
    {
        Model = options?.Model?.ToSpec(),
        UnknownIdPolicy = options?.FallbackForUnknownIds == true ? UnknownIdPolicy.Fallback : UnknownIdPolicy.Reject,
    };

    private async Task<RatingPredictions> PredictAsync(PredictRatingsRequest request, PredictOptions? options, CancellationToken cancellationToken)
    {
        var response = await _client.PredictRatingsAsync(request, CallOptions(options?.Timeout, cancellationToken)).ConfigureAwait(false);
        return new RatingPredictions(ModelRef.From(response.Model), [.. response.Ratings], [.. response.FallbackIndices]);
    }

    /// <summary>No timeout: no deadline here, and the channel's interceptor applies the default one.</summary>
    private CallOptions CallOptions(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), t, "A call's timeout must be positive.");
        }

        return new CallOptions(deadline: timeout is { } value ? _time.GetUtcNow().UtcDateTime + value : null, cancellationToken: cancellationToken);
    }
}
