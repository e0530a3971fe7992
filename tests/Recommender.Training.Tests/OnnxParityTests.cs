using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Recommender.Data;
using Recommender.Models.Onnx;
using Recommender.Models.Repository;
using Recommender.Training.Mf;
using Recommender.Training.Neural;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Tests;

/// <summary>
/// The exported ONNX graphs, run by ONNX Runtime (CPU), against the models they were exported
/// from: TorchSharp for the neural model, the factor file for MF.
/// </summary>
public sealed class OnnxParityTests
{
    [Fact]
    public void Neural_onnx_matches_torchsharp_on_10000_random_pairs()
    {
        var (train, validation) = NeuralTestData.Planted(users: 120, items: 150, count: 6000);
        var result = NeuralTrainer.Train(train, validation, new NeuralTrainingOptions { Epochs = 2, Seed = 3 });
        var random = new Random(17);
        var users = Enumerable.Range(0, 10_000).Select(_ => random.Next(train.UserCount)).ToArray();
        var items = Enumerable.Range(0, 10_000).Select(_ => random.Next(train.ItemCount)).ToArray();

        var torch = NeuralTrainer.PredictWithTorch(result.Weights, users, items);
        var onnx = Run(NeuralOnnxExporter.Export(result.Weights, new Dictionary<string, string>()), users, items);

        Assert.Equal(10_000, onnx.Length);
        for (var i = 0; i < onnx.Length; i++)
        {
            Assert.True(Math.Abs(onnx[i] - torch[i]) <= 1e-5, $"pair {i}: onnx {onnx[i]} vs torch {torch[i]}");
        }
    }

    [Fact]
    public void NeuMf_onnx_matches_torchsharp_on_10000_random_pairs()
    {
        var (train, validation) = NeuralTestData.Planted(users: 120, items: 150, count: 6000);
        var options = NeuralTrainingOptions.NeuMfDefaults with { Epochs = 2, Seed = 3, EmbeddingDim = 8, GmfDim = 5, HiddenSizes = [16, 8] };
        var weights = NeuralTrainer.Train(train, validation, options).Weights;
        var random = new Random(17);
        var users = Enumerable.Range(0, 10_000).Select(_ => random.Next(train.UserCount)).ToArray();
        var items = Enumerable.Range(0, 10_000).Select(_ => random.Next(train.ItemCount)).ToArray();

        var torch = NeuralTrainer.PredictWithTorch(weights, users, items);
        var onnx = Run(NeuralOnnxExporter.Export(weights, new Dictionary<string, string>()), users, items);

        Assert.NotNull(weights.Gmf);
        Assert.NotNull(weights.Biases);
        Assert.Contains(weights.Biases!.Item, b => b != 0);
        for (var i = 0; i < onnx.Length; i++)
        {
            Assert.True(Math.Abs(onnx[i] - torch[i]) <= 1e-5, $"pair {i}: onnx {onnx[i]} vs torch {torch[i]}");
        }
    }

    [Fact]
    public void A_NeuMf_ensemble_trained_by_the_pipeline_is_one_graph_that_serves_the_average_of_its_networks()
    {
        var root = Directory.CreateTempSubdirectory("recommender-ensemble-").FullName;
        try
        {
            var data = Path.Combine(root, "data");
            new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 70, Items = 100, Ratings = 2500, Seed = 9 }).Generate(data);
            var repository = new ModelRepository(Path.Combine(root, "models"), TimeProvider.System);
            var options = NeuralTrainingOptions.NeuMfDefaults with { Epochs = 2, EmbeddingDim = 6, GmfDim = 4, HiddenSizes = [8], Ensemble = 3 };
            var outcome = TrainingPipeline.Run(new TrainingRequest("ensemble", data, SplitSpec.Parse("random:0.2"), 4, null, options), repository);
            var single = TrainingPipeline.Run(new TrainingRequest("single", data, SplitSpec.Parse("random:0.2"), 4, null, options with { Ensemble = 1 }), repository);

            var model = outcome.Model<NeuralTrainedModel>()!;
            var bundle = repository.OpenVersion("ensemble", outcome.Manifest.Version);
            var users = Enumerable.Range(0, 300).Select(n => n % bundle.Users.Count).ToArray();
            var items = Enumerable.Range(0, 300).Select(n => (n * 13) % bundle.Items.Count).ToArray();
            var members = model.Members.Select(m => NeuralTrainer.PredictWithTorch(m.Weights, users, items)).ToArray();
            var served = Run(File.ReadAllBytes(bundle.ModelPath(ModelEntry.NeuralKind)!), users, items);
            var scored = new float[users.Length];
            model.Score(users, items, scored);

            Assert.Equal(3, model.Members.Count);
            Assert.Equal("3", bundle.Manifest.FindModel(ModelEntry.NeuralKind)!.Property("ensemble"));
            // Member 0 is the single network, bit for bit; the others differ by their seed.
            Assert.Equal(single.Model<NeuralTrainedModel>()!.Result.Weights.UserEmbedding, model.Members[0].Weights.UserEmbedding);
            Assert.NotEqual(model.Members[0].Weights.UserEmbedding, model.Members[1].Weights.UserEmbedding);
            for (var n = 0; n < users.Length; n++)
            {
                var average = members.Average(m => m[n]);
                Assert.True(Math.Abs(served[n] - average) <= 1e-4, $"pair {n}: graph {served[n]} vs average {average}");
                Assert.True(Math.Abs(scored[n] - served[n]) <= 1e-4, $"pair {n}: scorer {scored[n]} vs graph {served[n]}");
            }

            // The validation error reported is the average's, which the members' do not give.
            var validation = outcome.Manifest.Metrics["neural.validation_rmse"];
            Assert.Equal(model.EnsembleValidationRmse!.Value, validation);
            Assert.DoesNotContain(Enumerable.Range(0, 3), m => outcome.Manifest.Metrics[$"neural.member_validation_rmse.{m}"] == validation);
            Assert.Contains((NeuralTrainingOptions.SeedDefaults with { Ensemble = 2 }).GetErrors(), e => e.Contains("Ensemble", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void NeuMf_weights_survive_the_export_and_reload()
    {
        var (train, _) = NeuralTestData.Planted(users: 30, items: 40, count: 800);
        var weights = NeuralTrainer.Train(train, null, NeuralTrainingOptions.NeuMfDefaults with { Epochs = 1, EmbeddingDim = 4, GmfDim = 3, HiddenSizes = [5] }).Weights;

        using var reloaded = NeuralRatingModel.FromWeights(weights);
        var again = reloaded.ExportWeights();

        Assert.Equal(weights.UserEmbedding, again.UserEmbedding);
        Assert.Equal(weights.Gmf!.ItemFactors, again.Gmf!.ItemFactors);
        Assert.Equal(weights.Biases!.User, again.Biases!.User);
        Assert.Equal(weights.Biases.GlobalMean, again.Biases.GlobalMean);
        Assert.Throws<ArgumentException>(() => NeuralRankOnnxExporter.BuildModel(weights, new Dictionary<string, string>()));
    }

    [Fact]
    public void Neural_ranking_graph_scores_every_item_as_torchsharp_does()
    {
        var (train, validation) = NeuralTestData.Planted(users: 40, items: 90, count: 2000);
        var weights = NeuralTrainer.Train(train, validation, new NeuralTrainingOptions { Epochs = 2, Seed = 5 }).Weights;
        using var session = new InferenceSession(NeuralRankOnnxExporter.Export(weights, new Dictionary<string, string>()));

        foreach (var user in new[] { 0, 7, 39 })
        {
            var userIds = new DenseTensor<long>(new long[] { user }, [1]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("user_ids", userIds)]);
            var ranked = results.First(r => r.Name == "scores").AsEnumerable<float>().ToArray();
            var torch = NeuralTrainer.PredictWithTorch(weights, Enumerable.Repeat(user, train.ItemCount).ToArray(), Enumerable.Range(0, train.ItemCount).ToArray());

            Assert.Equal(train.ItemCount, ranked.Length);
            for (var i = 0; i < ranked.Length; i++)
            {
                Assert.True(Math.Abs(ranked[i] - torch[i]) <= 1e-5, $"user {user}, item {i}: rank graph {ranked[i]} vs torch {torch[i]}");
            }
        }
    }

    [Fact]
    public void Train_export_load_predict_round_trip_through_the_repository()
    {
        var root = Directory.CreateTempSubdirectory("recommender-parity-").FullName;
        try
        {
            var data = Path.Combine(root, "data");
            new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 70, Items = 100, Ratings = 2500, Seed = 9 }).Generate(data);
            var repository = new ModelRepository(Path.Combine(root, "models"), TimeProvider.System);
            var outcome = TrainingPipeline.Run(new TrainingRequest("parity", data, SplitSpec.Parse("random:0.2"), 4,
                MfTrainingOptions.BiasedDefaults with { Epochs = 4, Factors = 6 },
                new NeuralTrainingOptions { Epochs = 2, EmbeddingDim = 6, HiddenSizes = [12, 6] }), repository);

            var bundle = repository.OpenVersion("parity", outcome.Manifest.Version);
            var users = Enumerable.Range(0, bundle.Users.Count).ToArray();
            var items = users.Select(u => (u * 13) % bundle.Items.Count).ToArray();

            var neural = Run(File.ReadAllBytes(bundle.ModelPath(ModelEntry.NeuralKind)!), users, items);
            var torch = NeuralTrainer.PredictWithTorch(outcome.Model<NeuralTrainedModel>()!.Result.Weights, users, items);
            var mf = Run(File.ReadAllBytes(bundle.PathOf(MfTrainedModel.PairOnnxFile)), users, items);
            for (var i = 0; i < users.Length; i++)
            {
                Assert.True(Math.Abs(neural[i] - torch[i]) <= 1e-5, $"neural pair {i}: {neural[i]} vs {torch[i]}");
                Assert.True(Math.Abs(mf[i] - bundle.Mf!.RawScore(users[i], items[i])) <= 1e-5, $"mf pair {i}");
            }

            using var session = new InferenceSession(bundle.ModelPath(ModelEntry.NeuralKind)!);
            Assert.Equal("parity", session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.ModelName]);
            Assert.Equal(outcome.Manifest.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.ModelVersion]);
            Assert.Equal(outcome.Manifest.IdMapFingerprint, session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.IdMapFingerprint]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static float[] Run(byte[] model, int[] users, int[] items)
    {
        using var session = new InferenceSession(model);
        var u = new DenseTensor<long>(users.Select(x => (long)x).ToArray(), [users.Length]);
        var i = new DenseTensor<long>(items.Select(x => (long)x).ToArray(), [items.Length]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("user_ids", u), NamedOnnxValue.CreateFromTensor("item_ids", i)]);
        return [.. results.First(r => r.Name == "rating").AsEnumerable<float>()];
    }
}
