using Grpc.Core;
using Grpc.Health.V1;
using Recommender.Contracts.V1;
using Recommender.Training.Neural;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>The inference service's RPCs against a real server on loopback, serving a real published version.</summary>
public sealed class InferenceRpcTests(ServedRepositoryFixture fixture) : IClassFixture<ServedRepositoryFixture>, IAsyncLifetime
{
    private InferenceServer _server = null!;
    private Contract.InferenceService.InferenceServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await InferenceServer.StartAsync(fixture.Repository.RepositoryPath);
        _client = new Contract.InferenceService.InferenceServiceClient(_server.Channel);
        await Eventually.ServingAsync(_server.Channel);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Model_info_reports_the_version_counts_and_the_provider_really_in_use()
    {
        var info = await _client.GetModelInfoAsync(new GetModelInfoRequest());

        var model = Assert.Single(info.Models);
        Assert.Equal(ServedRepository.ModelName, model.Version.Name);
        Assert.Equal(1, model.Version.Version);
        Assert.Equal("CPUExecutionProvider", model.ExecutionProvider);
        Assert.Equal([ModelKind.Mf, ModelKind.Neural], model.Version.Kinds);
        Assert.Contains(model.Version.Metrics, m => m.Name == "mf.rmse" && m.Value > 0);
        var bundle = fixture.Repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        Assert.Equal(bundle.Users.Count, model.UserCount);
        Assert.Equal(bundle.Items.Count, model.ItemCount);
    }

    [Fact]
    public async Task Mf_predictions_equal_the_factor_file_clipped_to_the_rating_range()
    {
        var bundle = fixture.Repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var request = new PredictRatingsRequest { Model = new ModelSpec { Kind = ModelKind.Mf } };
        for (var i = 0; i < 50; i++)
        {
            request.UserIds.Add(bundle.Users.ExternalId(i % bundle.Users.Count));
            request.ItemIds.Add(bundle.Items.ExternalId((i * 7) % bundle.Items.Count));
        }

        var response = await _client.PredictRatingsAsync(request);

        Assert.Equal(ModelKind.Mf, response.Model.Kind);
        Assert.Equal(1, response.Model.Version);
        for (var i = 0; i < 50; i++)
        {
            var expected = bundle.Mf!.Predict(i % bundle.Users.Count, (i * 7) % bundle.Items.Count);
            Assert.Equal(expected, response.Ratings[i], 5);
            Assert.InRange(response.Ratings[i], 1f, 5f);
        }
    }

    [Fact]
    public async Task Neural_predictions_equal_torchsharp_on_the_trained_weights()
    {
        var bundle = fixture.Repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var users = Enumerable.Range(0, 40).Select(i => i % bundle.Users.Count).ToArray();
        var items = Enumerable.Range(0, 40).Select(i => (i * 11) % bundle.Items.Count).ToArray();
        var request = new PredictRatingsRequest { Model = new ModelSpec { Kind = ModelKind.Neural } };
        request.UserIds.AddRange(users.Select(u => (long)bundle.Users.ExternalId(u)));
        request.ItemIds.AddRange(items.Select(i => (long)bundle.Items.ExternalId(i)));

        var response = await _client.PredictRatingsAsync(request);

        var torch = NeuralTrainer.PredictWithTorch(fixture.Version1.Model<NeuralTrainedModel>()!.Result.Weights, users, items);
        for (var i = 0; i < users.Length; i++)
        {
            Assert.Equal(Math.Clamp(torch[i], 1f, 5f), response.Ratings[i], 4);
        }
    }

    [Fact]
    public async Task Columns_of_different_lengths_are_invalid_and_the_message_names_the_field()
    {
        var request = new PredictRatingsRequest { UserIds = { 1, 2 }, ItemIds = { 1 } };

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.PredictRatingsAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("item_ids", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_batch_is_invalid()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.PredictRatingsAsync(new PredictRatingsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("user_ids", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_ids_are_not_found_and_named_unless_the_fallback_policy_is_asked_for()
    {
        var known = fixture.Repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var request = new PredictRatingsRequest
        {
            UserIds = { known.Users.ExternalId(0), 987654 },
            ItemIds = { known.Items.ExternalId(0), known.Items.ExternalId(1) },
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.PredictRatingsAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("987654", error.Status.Detail, StringComparison.Ordinal);

        request.UnknownIdPolicy = UnknownIdPolicy.Fallback;
        var response = await _client.PredictRatingsAsync(request);
        Assert.Equal([1], response.FallbackIndices);
        var trainMean = fixture.Version1.Manifest.Metrics["train.mean_rating"];
        Assert.Equal(trainMean, response.Ratings[1], 4);
    }

    [Fact]
    public async Task Recommend_returns_unseen_items_best_first_with_titles()
    {
        var bundle = fixture.Repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var userId = bundle.Users.ExternalId(3);

        var response = await _client.RecommendAsync(new RecommendRequest { UserId = userId, TopN = 10 });

        Assert.Equal(10, response.Items.Count);
        Assert.False(response.PopularityFallback);
        Assert.All(response.Items, item => Assert.False(bundle.SeenItems!.Contains(3, IndexOf(bundle, item.ItemId))));
        Assert.All(response.Items, item => Assert.StartsWith("Synthetic Movie", item.Title, StringComparison.Ordinal));
        Assert.Equal(response.Items.Select(i => i.Score).OrderDescending(), response.Items.Select(i => i.Score));
        // The best unseen item by the factor file itself.
        var best = Enumerable.Range(0, bundle.Items.Count).Where(i => !bundle.SeenItems!.Contains(3, i))
            .MaxBy(i => bundle.Mf!.RawScore(3, i));
        Assert.Equal(bundle.Items.ExternalId(best), response.Items[0].ItemId);
    }

    [Fact]
    public async Task Candidates_and_exclusions_restrict_the_ranking()
    {
        var bundle = fixture.Repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var candidates = Enumerable.Range(0, bundle.Items.Count).Where(i => !bundle.SeenItems!.Contains(0, i)).Take(6)
            .Select(i => (long)bundle.Items.ExternalId(i)).ToArray();
        var request = new RecommendRequest { UserId = bundle.Users.ExternalId(0), TopN = 10, ExcludeItemIds = { candidates[0] } };
        request.CandidateItemIds.AddRange(candidates);

        var response = await _client.RecommendAsync(request);

        Assert.Equal(5, response.Items.Count);
        Assert.All(response.Items, i => Assert.Contains(i.ItemId, candidates[1..]));
    }

    [Fact]
    public async Task An_unknown_user_is_not_found_or_gets_flagged_popular_items_when_asked()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.RecommendAsync(new RecommendRequest { UserId = 424242, TopN = 3 }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("424242", error.Status.Detail, StringComparison.Ordinal);

        var response = await _client.RecommendAsync(new RecommendRequest { UserId = 424242, TopN = 3, AllowPopularityFallback = true });

        Assert.True(response.PopularityFallback);
        var bundle = fixture.Repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var expected = bundle.SeenItems!.ItemsByPopularity[..3].ToArray().Select(i => (long)bundle.Items.ExternalId(i));
        Assert.Equal(expected, response.Items.Select(i => i.ItemId));
    }

    [Fact]
    public async Task Top_n_must_be_positive_and_within_the_limit()
    {
        var zero = await Assert.ThrowsAsync<RpcException>(() => _client.RecommendAsync(new RecommendRequest { UserId = 1, TopN = 0 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, zero.StatusCode);
        Assert.Contains("top_n", zero.Status.Detail, StringComparison.Ordinal);

        var huge = await Assert.ThrowsAsync<RpcException>(() => _client.RecommendAsync(new RecommendRequest { UserId = 1, TopN = 1_000_000 }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, huge.StatusCode);
    }

    [Fact]
    public async Task Recommend_batch_answers_every_user_in_order_with_both_models()
    {
        var bundle = fixture.Repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var users = new long[] { bundle.Users.ExternalId(5), bundle.Users.ExternalId(1), bundle.Users.ExternalId(7) };
        foreach (var kind in new[] { ModelKind.Mf, ModelKind.Neural })
        {
            var request = new RecommendBatchRequest { TopN = 4, Model = new ModelSpec { Kind = kind } };
            request.UserIds.AddRange(users);

            var response = await _client.RecommendBatchAsync(request);

            Assert.Equal(kind, response.Model.Kind);
            Assert.Equal(users, response.Results.Select(r => r.UserId));
            Assert.All(response.Results, r => Assert.Equal(4, r.Items.Count));
        }
    }

    [Fact]
    public async Task A_version_that_is_not_served_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.RecommendAsync(new RecommendRequest { UserId = 1, TopN = 1, Model = new ModelSpec { Version = 99 } }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("99", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_is_serving_with_a_model_loaded()
    {
        var health = new Health.HealthClient(_server.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    private static int IndexOf(Recommender.Models.Repository.ModelVersionBundle bundle, long externalId)
    {
        Assert.True(bundle.Items.TryGetIndex((int)externalId, out var index));
        return index;
    }
}
