using System.Globalization;
using Grpc.Core;
using Recommender.Contracts.V1;
using Recommender.Data;
using Recommender.Models.Repository;
using Recommender.Training.Blend;
using Recommender.Training.Mf;
using Recommender.Training.Neural;
using Recommender.Training.Pipeline;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>
/// Users and items without a training rating but with side information (a u.user profile, a
/// u.item entry), end to end: the pipeline exports NeuMF rows for them, the served neural model
/// and the blend predict them from their features instead of the training mean, and ids in
/// neither the training data nor the side files keep the unknown-id contract.
/// </summary>
public sealed class ColdIdServingTests : IAsyncLifetime
{
    private const int Users = 60;
    private const int ColdUser = 61;

    // Items 1-20 are dramas rated about 4.6, items 21-40 horror films rated about 1.6; 41 is a
    // drama and 42 a horror film that nobody rated; 999 is in no file at all.
    private const int ColdDrama = 41;
    private const int ColdHorror = 42;
    private const int Stranger = 999;

    private readonly string _root = Directory.CreateTempSubdirectory("recommender-cold-ids-").FullName;
    private TrainingOutcome _outcome = null!;
    private InferenceServer _server = null!;
    private Contract.InferenceService.InferenceServiceClient _client = null!;

    private string Repository => Path.Combine(_root, "models");

    public async Task InitializeAsync()
    {
        var data = Path.Combine(_root, "data");
        WriteDataset(data);
        _outcome = TrainingPipeline.Run(
            new TrainingRequest("movielens", data, SplitSpec.Parse("random:0.1"), 3,
                MfTrainingOptions.BiasedDefaults with { Epochs = 5, Factors = 4 },
                NeuralTrainingOptions.NeuMfDefaults with { Epochs = 15, EmbeddingDim = 4, GmfDim = 4, HiddenSizes = [8], BatchSize = 64, LearningRateDecay = 0.9 })
            {
                Blend = new BlendTrainingOptions { AutoRec = null },
            },
            new ModelRepository(Repository, TimeProvider.System));
        _server = await InferenceServer.StartAsync(Repository);
        _client = new Contract.InferenceService.InferenceServiceClient(_server.Channel);
        await Eventually.ServingAsync(_server.Channel);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A server that has not let go of a file yet must not fail the test run.
        }
    }

    [Fact]
    public void The_version_lists_the_profiled_user_and_the_catalog_items_without_ratings_as_cold_ids()
    {
        var bundle = new ModelRepository(Repository, TimeProvider.System).OpenVersion("movielens", 1);

        var cold = Assert.IsType<Models.Artifacts.IdMaps>(bundle.ColdIds);
        Assert.Equal([ColdUser], cold.Users.ExternalIds);
        Assert.Equal([ColdDrama, ColdHorror], cold.Items.ExternalIds);
        Assert.False(bundle.Items.TryGetIndex(ColdDrama, out _));
        Assert.Equal("true", bundle.Manifest.FindModel(ModelEntry.NeuralKind)!.Property(ModelEntry.ColdRowsProperty));
        Assert.Equal("neural", bundle.Manifest.FindModel(ModelEntry.BlendKind)!.Property(ModelEntry.ColdPairsProperty));
    }

    [Fact]
    public async Task A_cold_item_is_predicted_from_its_genre_by_the_blend_and_the_neural_model_not_given_the_mean()
    {
        var mean = (float)_outcome.Manifest.Metrics[ManifestKeys.TrainingMeanRating];
        foreach (var kind in new[] { ModelKind.Unspecified, ModelKind.Neural })
        {
            var request = new PredictRatingsRequest { Model = new ModelSpec { Kind = kind } };
            request.UserIds.AddRange([1, 1, 2, ColdUser]);
            request.ItemIds.AddRange([ColdDrama, ColdHorror, ColdDrama, 1]);

            var response = await _client.PredictRatingsAsync(request);

            Assert.Equal(kind == ModelKind.Unspecified ? ModelKind.Blend : kind, response.Model.Kind);
            Assert.Empty(response.FallbackIndices);
            // The mean is about 3.1; a drama's genre rates 4.6, a horror film's 1.6.
            Assert.True(response.Ratings[0] > mean + 0.5, $"{kind}: the cold drama gets {response.Ratings[0]} (mean {mean})");
            Assert.True(response.Ratings[1] < mean - 0.5, $"{kind}: the cold horror film gets {response.Ratings[1]} (mean {mean})");
            Assert.True(response.Ratings[2] > mean + 0.5, $"{kind}: the cold drama gets {response.Ratings[2]} for user 2 (mean {mean})");
            // A profiled user without ratings, on a warm drama: the item's own rows carry it.
            Assert.True(response.Ratings[3] > mean + 0.5, $"{kind}: the cold user gets {response.Ratings[3]} for a drama (mean {mean})");
        }
    }

    [Fact]
    public async Task The_served_cold_prediction_is_what_training_evaluated()
    {
        var neural = _outcome.Model<NeuralTrainedModel>()!;
        var pairs = new RatingTable([1, 2, ColdUser], [ColdDrama, ColdHorror, ColdDrama], [0f, 0f, 0f], [0L, 0L, 0L]);
        var expected = new float[3];
        neural.ColdScorer!(pairs, expected);
        var request = new PredictRatingsRequest { Model = new ModelSpec { Kind = ModelKind.Neural } };
        request.UserIds.AddRange(pairs.UserIds.Select(u => (long)u));
        request.ItemIds.AddRange(pairs.ItemIds.Select(i => (long)i));

        var response = await _client.PredictRatingsAsync(request);

        for (var n = 0; n < expected.Length; n++)
        {
            Assert.True(Math.Abs(Math.Clamp(expected[n], 1f, 5f) - response.Ratings[n]) <= 1e-4, $"pair {n}: served {response.Ratings[n]}, trained {expected[n]}");
        }
    }

    [Fact]
    public async Task Kinds_without_cold_rows_and_ids_in_no_file_keep_the_unknown_id_contract()
    {
        var mean = (float)_outcome.Manifest.Metrics[ManifestKeys.TrainingMeanRating];

        // MF has no row for the cold item: unknown to it, as before (rejected by default, the mean on request).
        var mf = new PredictRatingsRequest { Model = new ModelSpec { Kind = ModelKind.Mf }, UserIds = { 1 }, ItemIds = { ColdDrama } };
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.PredictRatingsAsync(mf).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("item_ids", error.Status.Detail, StringComparison.Ordinal);
        mf.UnknownIdPolicy = UnknownIdPolicy.Fallback;
        var answered = await _client.PredictRatingsAsync(mf);
        Assert.Equal([0], answered.FallbackIndices);
        Assert.Equal(mean, answered.Ratings[0], 4);

        // An item in no file is unknown to the blend too; the cold item beside it is still answered.
        var blend = new PredictRatingsRequest { UserIds = { 1, 1 }, ItemIds = { Stranger, ColdDrama } };
        error = await Assert.ThrowsAsync<RpcException>(() => _client.PredictRatingsAsync(blend).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains(Stranger.ToString(CultureInfo.InvariantCulture), error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(ColdDrama.ToString(CultureInfo.InvariantCulture), error.Status.Detail, StringComparison.Ordinal);
        blend.UnknownIdPolicy = UnknownIdPolicy.Fallback;
        answered = await _client.PredictRatingsAsync(blend);
        Assert.Equal([0], answered.FallbackIndices);
        Assert.Equal(mean, answered.Ratings[0], 4);
        Assert.True(answered.Ratings[1] > mean + 0.5, $"the cold drama gets {answered.Ratings[1]}");
    }

    [Fact]
    public void The_manifest_counts_the_cold_rows_and_reports_no_cold_error_without_cold_test_pairs()
    {
        // The random split leaves no cold test pair here (every item has 60 ratings), so the
        // metric is absent rather than the mean's; the u1 measurement is in the README.
        Assert.Equal(0, _outcome.Manifest.Metrics["test.cold_ratings"]);
        Assert.False(_outcome.Manifest.Metrics.ContainsKey("neural.cold_rmse"));
        Assert.Equal(1, _outcome.Manifest.Metrics["neural.cold_users"]);
        Assert.Equal(2, _outcome.Manifest.Metrics["neural.cold_items"]);
    }

    /// <summary>ml-100k layout: u.data with every user rating items 1-40, u.item with 42 films, u.user with 61 profiles.</summary>
    private static void WriteDataset(string folder)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(11);
        var ratings = new List<string>();
        for (var user = 1; user <= Users; user++)
        {
            for (var item = 1; item <= 40; item++)
            {
                var rating = Math.Clamp((int)Math.Round((item <= 20 ? 4.6 : 1.6) + ((random.NextDouble() - 0.5) * 1.2)), 1, 5);
                ratings.Add(string.Create(CultureInfo.InvariantCulture, $"{user}\t{item}\t{rating}\t{880000000 + (user * 100) + item}"));
            }
        }

        File.WriteAllLines(Path.Combine(folder, "u.data"), ratings);
        // Genre flags in u.item's order: unknown, Action, Adventure, Animation, Children's, Comedy,
        // Crime, Documentary, Drama (8), Fantasy, Film-Noir, Horror (11), ...
        File.WriteAllLines(Path.Combine(folder, "u.item"), Enumerable.Range(1, 42).Select(item =>
        {
            var flags = new string[19];
            Array.Fill(flags, "0");
            flags[item <= 20 || item == ColdDrama ? 8 : 11] = "1";
            return string.Create(CultureInfo.InvariantCulture, $"{item}|Film {item} (1995)|01-Jan-1995||http://example.org/{item}|{string.Join('|', flags)}");
        }));
        File.WriteAllLines(Path.Combine(folder, "u.user"), Enumerable.Range(1, ColdUser).Select(user =>
            string.Create(CultureInfo.InvariantCulture, $"{user}|{20 + (user % 40)}|{(user % 2 == 0 ? "M" : "F")}|{(user % 3 == 0 ? "student" : "engineer")}|1000{user}")));
    }
}
