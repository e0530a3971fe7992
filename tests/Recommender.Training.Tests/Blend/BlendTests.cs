using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Recommender.Data;
using Recommender.Models.Onnx;
using Recommender.Training.Blend;
using Recommender.Training.Mf;
using Recommender.Training.Neural;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Tests.Blend;

public sealed class BlendTests
{
    [Fact]
    public void Least_squares_recovers_planted_weights()
    {
        // target = 0.3 + 0.5 a + 0.2 b + 0.4 c + small noise, on three correlated columns.
        var random = new Random(5);
        const int n = 5000;
        var a = new float[n];
        var b = new float[n];
        var c = new float[n];
        var y = new float[n];
        for (var r = 0; r < n; r++)
        {
            var shared = random.NextDouble() * 4;
            a[r] = (float)(1 + shared + random.NextDouble());
            b[r] = (float)(1 + shared + random.NextDouble());
            c[r] = (float)(1 + (random.NextDouble() * 4));
            y[r] = (float)(0.3 + (0.5 * a[r]) + (0.2 * b[r]) + (0.4 * c[r]) + (0.01 * (random.NextDouble() - 0.5)));
        }

        var weights = BlendWeights.Fit([a, b, c], y, ridge: 0);

        Assert.Equal(0.5, weights.Weights[0], 2);
        Assert.Equal(0.2, weights.Weights[1], 2);
        Assert.Equal(0.4, weights.Weights[2], 2);
        Assert.Equal(0.3, weights.Intercept, 1);
    }

    [Fact]
    public void Ridge_shrinks_the_weights_of_identical_members_to_equal_halves()
    {
        var random = new Random(6);
        var x = Enumerable.Range(0, 1000).Select(_ => (float)(1 + (4 * random.NextDouble()))).ToArray();
        var y = x.Select(v => v + 0.5f).ToArray();

        var weights = BlendWeights.Fit([x, (float[])x.Clone()], y, ridge: 1e-3);

        Assert.Equal(weights.Weights[0], weights.Weights[1], 6);
        Assert.Equal(1, weights.Weights[0] + weights.Weights[1], 2);
    }

    [Fact]
    public void The_blend_graph_computes_the_weighted_sum_of_its_clipped_members()
    {
        var (train, _) = NeuralTestData.Planted(users: 50, items: 70, count: 3000);
        var members = new IBlendableModel[]
        {
            BaselineModel.Fit(train, 5, 10),
            new FactorizationMember("mf", MfTrainer.Train(train, null, MfTrainingOptions.BiasedDefaults with { Factors = 4, Epochs = 3 }).Model),
            new NeuralTrainedModel(new NeuralTrainingOptions(), NeuralTrainer.Train(train, null, NeuralTrainingOptions.NeuMfDefaults with { Epochs = 1, EmbeddingDim = 4, GmfDim = 3, HiddenSizes = [6] }), null),
        };
        var weights = new BlendWeights(-0.25, [0.3, 0.9, -0.1]);
        var random = new Random(8);
        var users = Enumerable.Range(0, 2000).Select(_ => random.Next(train.UserCount)).ToArray();
        var items = Enumerable.Range(0, 2000).Select(_ => random.Next(train.ItemCount)).ToArray();

        var onnx = Run(BlendOnnxExporter.Export(members, weights, 1f, 5f, new Dictionary<string, string>()), users, items);

        var memberScores = members.Select(m =>
        {
            var scores = new float[users.Length];
            m.Score(users, items, scores);
            return scores;
        }).ToArray();
        for (var n = 0; n < users.Length; n++)
        {
            var expected = weights.Intercept;
            for (var m = 0; m < members.Length; m++)
            {
                expected += weights.Weights[m] * Math.Clamp(memberScores[m][n], 1f, 5f);
            }

            Assert.True(Math.Abs(onnx[n] - expected) <= 1e-4, $"pair {n}: graph {onnx[n]} vs weighted sum {expected}");
        }
    }

    [Fact]
    public void The_graph_names_each_member_apart()
    {
        var (train, _) = NeuralTestData.Planted(users: 20, items: 30, count: 400);
        var baseline = BaselineModel.Fit(train, 5, 10);

        var model = BlendOnnxExporter.BuildModel([baseline, baseline], new BlendWeights(0, [0.5, 0.5]), 1f, 5f, new Dictionary<string, string>());

        Assert.Contains(model.Graph.Initializer, t => t.Name == "m0_baseline/user_bias");
        Assert.Contains(model.Graph.Initializer, t => t.Name == "m1_baseline/user_bias");
        Assert.Equal([OnnxNames.Rating], model.Graph.Output.Select(o => o.Name));
    }

    [Fact]
    public void The_baseline_shrinks_the_bias_of_a_rarely_rated_item_towards_zero()
    {
        // 100 users rate item 0 with 3; user 0 also rates item 1 with 5. With user biases held at
        // zero (huge user shrinkage), item 1's bias is its residual over (λ_i + 1).
        var users = Enumerable.Range(0, 100).Concat([0]).ToArray();
        var items = Enumerable.Repeat(0, 100).Concat([1]).ToArray();
        var values = Enumerable.Repeat(3f, 100).Concat([5f]).ToArray();
        var mean = values.Average(v => (double)v);

        var baseline = BaselineModel.Fit(new IndexedRatings(users, items, values, 100, 2), 1e9, 25);

        Assert.Equal((5 - mean) / 26, baseline.ItemBias[1], 4);
        Assert.Equal(100 * (3 - mean) / 125, baseline.ItemBias[0], 4);
        var scores = new float[1];
        baseline.Score([0], [1], scores);
        Assert.Equal(mean + ((5 - mean) / 26), scores[0], 4);
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
