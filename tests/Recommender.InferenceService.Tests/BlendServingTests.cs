using Recommender.Contracts.V1;
using Recommender.Data;
using Recommender.Training.Blend;
using Recommender.Training.Mf;
using Recommender.Training.Neural;
using Recommender.Training.Pipeline;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>A version with a blend, served by the real host: PredictRatings without a kind answers with the blend's ONNX graph.</summary>
public sealed class BlendServingTests : IAsyncLifetime
{
    private readonly ServedRepository _repository = new();
    private TrainingOutcome _outcome = null!;
    private InferenceServer _server = null!;
    private Contract.InferenceService.InferenceServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _outcome = TrainingPipeline.Run(
            new TrainingRequest(ServedRepository.ModelName, _repository.DataFolder, SplitSpec.Parse("random:0.2"), 1,
                MfTrainingOptions.BayesianDefaults with { Epochs = 12, BurnIn = 4, Factors = 4 },
                NeuralTrainingOptions.NeuMfDefaults with { Epochs = 1, EmbeddingDim = 6, GmfDim = 4, HiddenSizes = [8] })
            {
                Blend = new BlendTrainingOptions { AutoRec = new AutoRecOptions { Hidden = 12, Epochs = 3, BatchSize = 64 } },
            },
            _repository.Repository);
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
    public async Task Predict_ratings_without_a_kind_serves_the_blend_graph_which_equals_the_weighted_sum_of_its_members()
    {
        var bundle = _repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        var users = Enumerable.Range(0, 60).Select(i => i % bundle.Users.Count).ToArray();
        var items = Enumerable.Range(0, 60).Select(i => (i * 13) % bundle.Items.Count).ToArray();
        var request = new PredictRatingsRequest();
        request.UserIds.AddRange(users.Select(u => (long)bundle.Users.ExternalId(u)));
        request.ItemIds.AddRange(items.Select(i => (long)bundle.Items.ExternalId(i)));

        var response = await _client.PredictRatingsAsync(request);

        Assert.Equal(ModelKind.Blend, response.Model.Kind);
        var blend = _outcome.Model<BlendTrainedModel>()!;
        var members = blend.Members.Select(m =>
        {
            var scores = new float[users.Length];
            m.Score(users, items, scores);
            return scores;
        }).ToArray();
        for (var n = 0; n < users.Length; n++)
        {
            var expected = blend.Fit.Weights.Intercept;
            for (var m = 0; m < members.Length; m++)
            {
                expected += blend.Fit.Weights.Weights[m] * Math.Clamp(members[m][n], 1f, 5f);
            }

            var served = response.Ratings[n];
            Assert.True(Math.Abs(Math.Clamp(expected, 1, 5) - served) <= 1e-4, $"pair {n}: served {served} vs weighted sum {expected}");
        }

        var info = await _client.GetModelInfoAsync(new GetModelInfoRequest());
        Assert.Contains(ModelKind.Blend, Assert.Single(info.Models).Version.Kinds);
    }

    [Fact]
    public async Task A_named_kind_still_answers_and_the_blend_can_be_named()
    {
        var bundle = _repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
        foreach (var kind in new[] { ModelKind.Mf, ModelKind.Neural, ModelKind.Blend })
        {
            var request = new PredictRatingsRequest { Model = new ModelSpec { Kind = kind } };
            request.UserIds.Add(bundle.Users.ExternalId(0));
            request.ItemIds.Add(bundle.Items.ExternalId(0));

            var response = await _client.PredictRatingsAsync(request);

            Assert.Equal(kind, response.Model.Kind);
        }

        var recommend = await _client.RecommendAsync(new RecommendRequest { UserId = bundle.Users.ExternalId(0), TopN = 5, Model = new ModelSpec { Kind = ModelKind.Blend } });
        Assert.Equal(5, recommend.Items.Count);
        Assert.Equal(ModelKind.Blend, recommend.Model.Kind);
    }
}
