using Grpc.Core;
using Recommender.Contracts.V1;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>Every kind of bad input gets its status code and a message naming the field.</summary>
public sealed class BadInputTests(ServedRepositoryFixture fixture) : IClassFixture<ServedRepositoryFixture>, IAsyncLifetime
{
    private InferenceServer _server = null!;
    private Contract.InferenceService.InferenceServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await InferenceServer.StartAsync(fixture.Repository.RepositoryPath, new Dictionary<string, string?>
        {
            ["Inference:MaxPairsPerRequest"] = "100",
            ["Inference:MaxUsersPerBatch"] = "3",
        });
        _client = new Contract.InferenceService.InferenceServiceClient(_server.Channel);
        await Eventually.ServingAsync(_server.Channel);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task An_oversized_prediction_batch_is_resource_exhausted()
    {
        var request = new PredictRatingsRequest();
        request.UserIds.AddRange(Enumerable.Repeat(1L, 101));
        request.ItemIds.AddRange(Enumerable.Repeat(1L, 101));

        await ExpectAsync(StatusCode.ResourceExhausted, "user_ids", _client.PredictRatingsAsync(request).ResponseAsync);
    }

    [Fact]
    public async Task Too_many_users_in_a_batch_recommendation_is_resource_exhausted()
    {
        var request = new RecommendBatchRequest { TopN = 2, UserIds = { 1, 2, 3, 4 } };

        await ExpectAsync(StatusCode.ResourceExhausted, "user_ids", _client.RecommendBatchAsync(request).ResponseAsync);
    }

    [Fact]
    public async Task A_negative_k_is_invalid()
    {
        await ExpectAsync(StatusCode.InvalidArgument, "top_n", _client.RecommendAsync(new RecommendRequest { UserId = 1, TopN = -3 }).ResponseAsync);
    }

    [Fact]
    public async Task K_over_the_catalog_returns_every_unseen_item_once()
    {
        var bundle = fixture.Repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var user = bundle.Users.ExternalId(2);

        var response = await _client.RecommendAsync(new RecommendRequest { UserId = user, TopN = 999 });

        var unseen = bundle.Items.Count - bundle.SeenItems!.For(2).Length;
        Assert.Equal(unseen, response.Items.Count);
        Assert.Equal(unseen, response.Items.Select(i => i.ItemId).Distinct().Count());
    }

    [Fact]
    public async Task An_unknown_model_name_is_not_found_and_named()
    {
        await ExpectAsync(StatusCode.NotFound, "no-such-model",
            _client.RecommendAsync(new RecommendRequest { UserId = 1, TopN = 1, Model = new ModelSpec { Name = "no-such-model" } }).ResponseAsync);
        await ExpectAsync(StatusCode.NotFound, "no-such-model",
            _client.GetModelInfoAsync(new GetModelInfoRequest { Name = "no-such-model" }).ResponseAsync);
    }

    [Fact]
    public async Task Unknown_candidate_items_are_not_found_and_named()
    {
        var bundle = fixture.Repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var request = new RecommendRequest { UserId = bundle.Users.ExternalId(0), TopN = 2, CandidateItemIds = { 55555 } };

        await ExpectAsync(StatusCode.NotFound, "candidate_item_ids", _client.RecommendAsync(request).ResponseAsync);
    }

    private static async Task ExpectAsync<T>(StatusCode code, string named, Task<T> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(code, error.StatusCode);
        Assert.Contains(named, error.Status.Detail, StringComparison.Ordinal);
    }
}
