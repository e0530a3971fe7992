using Grpc.Core;
using Recommender.Contracts.V1;
using Recommender.Models.Implicit;
using Recommender.Training.Implicit;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>A version with MF and the implicit model, served by a real server: who answers what, history, similar items.</summary>
public sealed class ImplicitServingTests : IAsyncLifetime
{
    private readonly ServedRepository _repository = new();
    private InferenceServer _server = null!;
    private Contract.InferenceService.InferenceServiceClient _client = null!;
    private ImplicitModel _model = null!;

    public async Task InitializeAsync()
    {
        var outcome = _repository.PublishWithImplicit();
        _model = outcome.Model<ImplicitTrainedModel>()!.Result.Model;
        _server = await InferenceServer.StartAsync(_repository.RepositoryPath);
        _client = new Contract.InferenceService.InferenceServiceClient(_server.Channel);
        await Eventually.ServingAsync(_server.Channel);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
    }

    [Fact]
    public async Task Recommend_without_a_kind_ranks_with_the_implicit_model_by_its_own_scores()
    {
        var bundle = _repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var response = await _client.RecommendAsync(new RecommendRequest { UserId = bundle.Users.ExternalId(3), TopN = 5 });

        Assert.Equal(ModelKind.Implicit, response.Model.Kind);
        var seen = bundle.SeenItems!.For(3).ToArray();
        var expected = Enumerable.Range(0, bundle.Items.Count).Where(i => !seen.Contains(i))
            .OrderByDescending(i => _model.Score(3, i)).ThenBy(i => i).Take(5).ToArray();
        Assert.Equal(expected.Select(i => (long)bundle.Items.ExternalId(i)), response.Items.Select(i => i.ItemId));
        Assert.Equal(_model.Score(3, expected[0]), response.Items[0].Score, 4); // a preference, not clipped to 1..5
        var info = await _client.GetModelInfoAsync(new GetModelInfoRequest());
        Assert.Equal([ModelKind.Mf, ModelKind.Implicit], info.Models[0].Version.Kinds);
    }

    [Fact]
    public async Task Predict_ratings_stays_with_the_rating_model_and_refuses_the_implicit_one()
    {
        var bundle = _repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var request = new PredictRatingsRequest { UserIds = { bundle.Users.ExternalId(0) }, ItemIds = { bundle.Items.ExternalId(0) } };
        Assert.Equal(ModelKind.Mf, (await _client.PredictRatingsAsync(request)).Model.Kind);

        request.Model = new ModelSpec { Kind = ModelKind.Implicit };
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.PredictRatingsAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("model.kind", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_user_gets_a_list_from_a_three_item_history_that_leaves_the_history_out()
    {
        var bundle = _repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        long[] history = [bundle.Items.ExternalId(0), bundle.Items.ExternalId(1), bundle.Items.ExternalId(2)];
        var request = new RecommendRequest { UserId = 987_654, TopN = 10 };
        request.HistoryItemIds.AddRange(history);

        var response = await _client.RecommendAsync(request);

        Assert.False(response.PopularityFallback);
        Assert.Equal(10, response.Items.Count);
        Assert.DoesNotContain(response.Items, i => history.Contains(i.ItemId));

        var user = new float[_model.Factors];
        new ImplicitFoldIn(_model).FoldIn([0, 1, 2], [], user);
        var best = Enumerable.Range(3, bundle.Items.Count - 3).MaxBy(i => System.Numerics.Tensors.TensorPrimitives.Dot(user, _model.ItemRow(i)));
        Assert.Equal(bundle.Items.ExternalId(best), response.Items[0].ItemId);
    }

    [Fact]
    public async Task History_errors_name_their_field()
    {
        var unknown = new RecommendRequest { UserId = 987_654, TopN = 5, HistoryItemIds = { 99_999_999 } };
        var notFound = await Assert.ThrowsAsync<RpcException>(async () => await _client.RecommendAsync(unknown));
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
        Assert.Contains("history_item_ids", notFound.Status.Detail, StringComparison.Ordinal);

        var mismatched = new RecommendRequest { UserId = 987_654, TopN = 5, HistoryItemIds = { 1, 2 }, HistoryRatings = { 4 } };
        var invalid = await Assert.ThrowsAsync<RpcException>(async () => await _client.RecommendAsync(mismatched));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("history_ratings", invalid.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Similar_items_come_from_the_implicit_factors_in_request_order_and_unknown_items_are_not_found()
    {
        var bundle = _repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var response = await _client.SimilarItemsAsync(new SimilarItemsRequest
        {
            ItemIds = { bundle.Items.ExternalId(5), bundle.Items.ExternalId(1) },
            TopN = 3,
        });

        Assert.Equal(ModelKind.Implicit, response.Model.Kind);
        Assert.Equal([bundle.Items.ExternalId(5), bundle.Items.ExternalId(1)], response.Results.Select(r => r.ItemId).Select(i => (int)i));
        Assert.All(response.Results, r => Assert.Equal(3, r.Items.Count));
        Assert.DoesNotContain(response.Results[0].Items, i => i.ItemId == bundle.Items.ExternalId(5));
        Assert.True(response.Results[0].Items[0].Score >= response.Results[0].Items[1].Score);
        Assert.InRange(response.Results[0].Items[0].Score, -1.0001f, 1.0001f);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.SimilarItemsAsync(new SimilarItemsRequest { ItemIds = { 424_242 }, TopN = 3 }));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("424242", error.Status.Detail, StringComparison.Ordinal);
    }
}
