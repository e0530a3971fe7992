using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Recommender.Data;
using Recommender.Models.Onnx;
using Recommender.Models.Repository;
using Recommender.Training.Mf;
using Recommender.Training.Pipeline;
using Recommender.Training.Neural;
using TorchSharp;

namespace Recommender.Training.Tests;

/// <summary>
/// NeuMF's side features: built from a dataset's profiles and catalog, trained as tables added to
/// the embeddings, and folded into the exported embedding tables so the served graph keeps its
/// two inputs.
/// </summary>
public sealed class NeuralSideFeatureTests
{
    [Fact]
    public void Features_come_from_profiles_and_catalog_in_index_order()
    {
        var dataset = new Dataset("tiny", DatasetFormat.MovieLens100K, "/nowhere", RatingTableOf((7, 30), (5, 10), (7, 20)),
            [
                new Movie(10, "Ten (1995)", ["Drama", "Comedy"]) { Year = 1995 },
                new Movie(20, "Twenty", ["unknown"]),
                new Movie(30, "Thirty (1972)", ["Drama"]) { Year = 1972 },
            ],
            [new UserProfile(5, 24, "M", "Technician", "1"), new UserProfile(7, 60, "F", "other", "2")]);
        // Index order is first appearance in the ratings: users 7, 5; items 30, 10, 20.
        var users = IdMap.FromFirstAppearance([7, 5, 7]);
        var items = IdMap.FromFirstAppearance([30, 10, 20]);

        var features = NeuralSideFeatures.From(dataset, users, items);

        Assert.Equal(["age:18-24", "age:56+", "gender:f", "gender:m", "occupation:other", "occupation:technician"], features.UserColumnNames);
        Assert.Equal([0f, 1, 1, 0, 1, 0, /* user 5 */ 1, 0, 0, 1, 0, 1], features.UserRows);
        // "unknown" carries nothing; genres are averaged, the year bucket is one-hot.
        Assert.Equal(["genre:Comedy", "genre:Drama", "year:1970s", "year:1995"], features.ItemColumnNames);
        Assert.Equal([0f, 1, 1, 0, /* 10 */ 0.5f, 0.5f, 0, 1, /* 20 */ 0, 0, 0, 0], features.ItemRows);
    }

    [Fact]
    public void Cold_rows_are_the_profiled_users_and_catalog_items_without_an_index_in_the_indexed_columns()
    {
        var dataset = new Dataset("tiny", DatasetFormat.MovieLens100K, "/nowhere", RatingTableOf((7, 30), (5, 10)),
            [
                new Movie(10, "Ten (1995)", ["Drama", "Comedy"]) { Year = 1995 },
                new Movie(30, "Thirty (1972)", ["Drama"]) { Year = 1972 },
                // Cold: a genre and a year no indexed item has get no column (nothing trains them).
                new Movie(40, "Forty (1995)", ["Drama", "Western"]) { Year = 1995 },
                new Movie(50, "Fifty (1931)", ["Comedy"]) { Year = 1931 },
            ],
            [new UserProfile(5, 24, "M", "Technician", "1"), new UserProfile(7, 60, "F", "other", "2"), new UserProfile(9, 30, "F", "technician", "3")]);
        var users = IdMap.FromFirstAppearance([7, 5]);
        var items = IdMap.FromFirstAppearance([30, 10]);

        var plain = NeuralSideFeatures.From(dataset, users, items);
        var features = NeuralSideFeatures.From(dataset, users, items, withCold: true);

        Assert.Empty(plain.ColdUsers.ExternalIds);
        Assert.Empty(plain.ColdItemRows);
        Assert.Equal(plain.UserColumnNames, features.UserColumnNames);
        Assert.Equal(plain.ItemColumnNames, features.ItemColumnNames);
        Assert.Equal(plain.UserRows, features.UserRows);
        Assert.Equal(plain.ItemRows, features.ItemRows);
        Assert.Equal([9], features.ColdUsers.ExternalIds);
        Assert.Equal([40, 50], features.ColdItems.ExternalIds);
        // Columns: age:18-24, age:56+, gender:f, gender:m, occupation:other, occupation:technician.
        Assert.Equal([0f, 0, 1, 0, 0, 1], features.ColdUserRows);
        // Columns: genre:Comedy, genre:Drama, year:1970s, year:1995; Western has none, 1931 neither.
        Assert.Equal([0f, 1, 0, 1, /* 50 */ 1, 0, 0, 0], features.ColdItemRows);
    }

    [Fact]
    public void Cold_rows_are_appended_to_the_exported_tables_without_changing_what_trains()
    {
        var (train, _) = NeuralTestData.Planted(users: 12, items: 15, count: 150);
        var random = new Random(8);
        var userRows = Enumerable.Range(0, train.UserCount * 2).Select(_ => random.Next(2) * 1f).ToArray();
        var itemRows = Enumerable.Range(0, train.ItemCount * 3).Select(_ => random.Next(2) * 1f).ToArray();
        var options = NeuralTrainingOptions.NeuMfDefaults with { Epochs = 2, EmbeddingDim = 4, GmfDim = 2, HiddenSizes = [6], Seed = 4, BatchSize = 32 };
        var warm = new NeuralSideFeatures(train.UserCount, 2, userRows, train.ItemCount, 3, itemRows);
        var withCold = warm.WithCold(IdMap.FromExternalIds([1001]), [1f, 0], IdMap.FromExternalIds([2001, 2002]), [0f, 1, 0, 1, 1, 0]);

        var plain = NeuralTrainer.Train(train, null, options, features: warm).Weights;
        var extended = NeuralTrainer.Train(train, null, options, features: withCold).Weights;

        Assert.Equal(train.UserCount + 1, extended.UserCount);
        Assert.Equal(train.ItemCount + 2, extended.ItemCount);
        Assert.Equal(plain.UserEmbedding, extended.UserEmbedding.AsSpan(0, plain.UserEmbedding.Length).ToArray());
        Assert.Equal(plain.ItemEmbedding, extended.ItemEmbedding.AsSpan(0, plain.ItemEmbedding.Length).ToArray());
        Assert.Equal(plain.Biases!.Item, extended.Biases!.Item.AsSpan(0, train.ItemCount).ToArray());
        Assert.Equal(plain.Layers[0].Weight, extended.Layers[0].Weight);

        // The ONNX graph scores the cold rows as the network does, and the features move them off the mean.
        int[] users = [0, 1, train.UserCount, train.UserCount];
        int[] items = [train.ItemCount, train.ItemCount + 1, 0, train.ItemCount + 1];
        var live = NeuralTrainer.PredictWithTorch(extended, users, items);
        var onnx = Run(NeuralOnnxExporter.Export(extended, new Dictionary<string, string>()), users, items, out _);
        for (var k = 0; k < live.Length; k++)
        {
            Assert.True(Math.Abs(onnx[k] - live[k]) <= 1e-4, $"pair {k}: onnx {onnx[k]} vs network {live[k]}");
        }

        Assert.NotEqual(extended.Biases.Item[train.ItemCount], extended.Biases.Item[train.ItemCount + 1]);
        Assert.Throws<ArgumentException>(() => warm.WithCold(IdMap.FromExternalIds([1001]), [1f], IdMap.FromExternalIds([]), []));
    }

    [Fact]
    public void A_dataset_without_side_files_gives_no_feature_columns()
    {
        var dataset = new Dataset("bare", DatasetFormat.MovieLensCsv, "/nowhere", RatingTableOf((1, 2)), [], []);

        var features = NeuralSideFeatures.From(dataset, IdMap.FromFirstAppearance([1]), IdMap.FromFirstAppearance([2]));

        Assert.False(features.Any);
        Assert.Equal(0, features.UserColumns);
        Assert.Equal(0, features.ItemColumns);
    }

    [Fact]
    public void Exported_graph_with_folded_features_scores_as_the_live_model_does()
    {
        var random = new Random(3);
        const int Users = 25;
        const int Items = 30;
        var features = new NeuralSideFeatures(
            Users, 4, [.. Enumerable.Range(0, Users * 4).Select(_ => random.Next(2) * 1f)],
            Items, 3, [.. Enumerable.Range(0, Items * 3).Select(_ => (float)random.NextDouble())]);
        using var model = new NeuralRatingModel(Users, Items, 6, [8], 0, 4, 3.5f, features);
        // Away from the zero start, so the feature tables matter; drawn here, not from torch's
        // process-wide generator, which seeded trainings in other tests rely on.
        SetAll(model, random);

        var users = Enumerable.Range(0, 400).Select(_ => random.Next(Users)).ToArray();
        var items = Enumerable.Range(0, 400).Select(_ => random.Next(Items)).ToArray();
        var live = model.Predict(users, items);
        var weights = model.ExportWeights();
        var bytes = NeuralOnnxExporter.Export(weights, new Dictionary<string, string>());
        var onnx = Run(bytes, users, items, out var inputs);

        Assert.Equal(["user_ids", "item_ids"], inputs);
        Assert.True(model.HasSideFeatures);
        for (var k = 0; k < live.Length; k++)
        {
            Assert.True(Math.Abs(onnx[k] - live[k]) <= 1e-4, $"pair {k}: onnx {onnx[k]} vs live model {live[k]}");
        }

        using var folded = NeuralRatingModel.FromWeights(weights);
        Assert.Equal(live, folded.Predict(users, items));
        Assert.Throws<InvalidOperationException>(() => model.LoadWeights(weights));

        // And the features did count: without the feature tables the live model scores otherwise.
        using (torch.no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (name.Contains("feature_table", StringComparison.Ordinal))
                {
                    parameter.zero_();
                }
            }
        }

        var bare = model.Predict(users, items);
        Assert.Contains(Enumerable.Range(0, bare.Length), k => Math.Abs(bare[k] - live[k]) > 1e-2);
    }

    [Fact]
    public void Genres_lift_an_item_without_training_ratings_toward_what_its_genre_gets()
    {
        // Items 0-19 are genre A and rated about 4.5, items 20-39 genre B and rated about 1.5;
        // item 40 is genre A and has no rating at all. The global mean is 3.
        const int Users = 60;
        const int Items = 41;
        var random = new Random(5);
        var u = new List<int>();
        var i = new List<int>();
        var v = new List<float>();
        for (var user = 0; user < Users; user++)
        {
            for (var item = 0; item < Items - 1; item++)
            {
                u.Add(user);
                i.Add(item);
                v.Add((item < 20 ? 4.5f : 1.5f) + (float)((random.NextDouble() - 0.5) * 0.6));
            }
        }

        var train = new IndexedRatings([.. u], [.. i], [.. v], Users, Items);
        var itemRows = new float[Items * 2];
        for (var item = 0; item < Items; item++)
        {
            itemRows[(item * 2) + (item < 20 || item == 40 ? 0 : 1)] = 1;
        }

        var features = new NeuralSideFeatures(Users, 0, [], Items, 2, itemRows);
        var options = NeuralTrainingOptions.NeuMfDefaults with { Epochs = 30, EmbeddingDim = 4, GmfDim = 4, HiddenSizes = [8], Seed = 1, BatchSize = 64, LearningRateDecay = 0.9 };
        var everyUser = Enumerable.Range(0, Users).ToArray();
        var coldItem = Enumerable.Repeat(40, Users).ToArray();

        var with = NeuralTrainer.PredictWithTorch(NeuralTrainer.Train(train, null, options, features: features).Weights, everyUser, coldItem).Average();
        var without = NeuralTrainer.PredictWithTorch(NeuralTrainer.Train(train, null, options with { SideFeatures = false }).Weights, everyUser, coldItem).Average();

        Assert.InRange(without, 2.6, 3.4);
        // Genre A's ratings average 4.5: the features carry the item most of the way there.
        Assert.True(with > 3.6 && with > without + 0.5, $"the cold genre-A item scores {with} with features ({without} without)");
    }

    [Fact]
    public void The_seed_network_takes_no_side_features()
    {
        var (train, _) = NeuralTestData.Planted(users: 10, items: 12, count: 60);
        var features = new NeuralSideFeatures(train.UserCount, 1, new float[train.UserCount], train.ItemCount, 0, []);

        Assert.Contains((NeuralTrainingOptions.SeedDefaults with { SideFeatures = true }).GetErrors(), e => e.Contains("SideFeatures", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => NeuralTrainer.Train(train, null, NeuralTrainingOptions.SeedDefaults with { Epochs = 1 }, features: features));
        Assert.False(NeuralTrainingOptions.SeedDefaults.SideFeatures);
        Assert.True(NeuralTrainingOptions.NeuMfDefaults.SideFeatures);
    }

    [Fact]
    public void A_pipeline_run_trains_on_the_profiles_and_the_catalog_it_finds_beside_the_ratings()
    {
        // The pipeline skips user profiles when no kind needs them (memory at 160 k users); NeuMF's
        // side features need them, so a run with them must load every column the files give.
        var root = Directory.CreateTempSubdirectory("recommender-side-features-").FullName;
        try
        {
            var data = Path.Combine(root, "data");
            new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 50, Items = 60, Ratings = 1500, Seed = 5 }).Generate(data);
            var dataset = DatasetLoader.Load(data);
            var expected = NeuralSideFeatures.From(dataset, IdMap.FromFirstAppearance(dataset.Ratings.UserIds), IdMap.FromFirstAppearance(dataset.Ratings.ItemIds));
            Assert.True(expected.UserColumns > 0 && expected.ItemColumns > 0, "the synthetic set has profiles and genres");

            var outcome = TrainingPipeline.Run(new TrainingRequest("features", data, SplitSpec.Parse("none"), 1,
                    MfTrainingOptions.BiasedDefaults with { Epochs = 1, Factors = 4 },
                    NeuralTrainingOptions.NeuMfDefaults with { Epochs = 1, EmbeddingDim = 4, GmfDim = 2, HiddenSizes = [4] }),
                new ModelRepository(Path.Combine(root, "models"), TimeProvider.System));

            Assert.Equal(expected.UserColumns + expected.ItemColumns, outcome.Model<NeuralTrainedModel>()!.SideFeatureColumns);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void SetAll(NeuralRatingModel model, Random random)
    {
        using var noGrad = torch.no_grad();
        foreach (var parameter in model.parameters())
        {
            var values = Enumerable.Range(0, (int)parameter.numel()).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            using var source = torch.tensor(values, parameter.shape);
            parameter.copy_(source);
        }
    }

    private static RatingTable RatingTableOf(params (int User, int Item)[] pairs) =>
        new([.. pairs.Select(p => p.User)], [.. pairs.Select(p => p.Item)], [.. pairs.Select(_ => 4f)], [.. pairs.Select(_ => 0L)]);

    private static float[] Run(byte[] model, int[] users, int[] items, out string[] inputs)
    {
        using var session = new InferenceSession(model);
        inputs = [.. session.InputMetadata.Keys];
        var u = new DenseTensor<long>(users.Select(x => (long)x).ToArray(), [users.Length]);
        var i = new DenseTensor<long>(items.Select(x => (long)x).ToArray(), [items.Length]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("user_ids", u), NamedOnnxValue.CreateFromTensor("item_ids", i)]);
        return [.. results.First(r => r.Name == "rating").AsEnumerable<float>()];
    }
}
