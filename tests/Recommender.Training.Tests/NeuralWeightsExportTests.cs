using Recommender.Models.Neural;
using Recommender.Training.Neural;

namespace Recommender.Training.Tests;

/// <summary>
/// Pins the layout of the exported <see cref="NeuralWeights"/> that the ONNX writer consumes:
/// a plain managed forward pass over the exported arrays must reproduce TorchSharp's.
/// </summary>
public sealed class NeuralWeightsExportTests
{
    [Fact]
    public void Exported_weights_reproduce_the_torch_forward_pass_with_managed_loops()
    {
        var (train, validation) = NeuralTestData.Planted(users: 60, items: 80, count: 2_000, seed: 3);
        var result = NeuralTrainer.Train(train, validation, new NeuralTrainingOptions { Epochs = 3, LearningRate = 1e-2, Seed = 9 });
        var weights = result.Weights;

        Assert.Equal(60, weights.UserCount);
        Assert.Equal(80, weights.ItemCount);
        Assert.Equal(20, weights.EmbeddingDim);
        Assert.Equal(60 * 20, weights.UserEmbedding.Length);
        Assert.Equal(80 * 20, weights.ItemEmbedding.Length);
        Assert.Equal([(40, 64, true), (64, 32, true), (32, 1, false)], weights.Layers.Select(l => (l.InputSize, l.OutputSize, l.Relu)));
        Assert.All(weights.Layers, l => Assert.Equal(l.InputSize * l.OutputSize, l.Weight.Length));
        Assert.All(weights.Layers, l => Assert.Equal(l.OutputSize, l.Bias.Length));

        // Every user and every item at least once.
        var users = Enumerable.Range(0, 240).Select(k => k % 60).ToArray();
        var items = Enumerable.Range(0, 240).Select(k => (k * 7) % 80).ToArray();
        var torchPredictions = NeuralTrainer.PredictWithTorch(weights, users, items);
        for (var k = 0; k < users.Length; k++)
        {
            var expected = ManagedForward(weights, users[k], items[k]);
            Assert.True(
                Math.Abs(expected - torchPredictions[k]) <= 1e-5 * Math.Max(1, Math.Abs(expected)),
                $"pair {k}: managed {expected} vs torch {torchPredictions[k]}");
        }

        // The predictions carry signal (not a constant): trained weights, not the initial ones.
        var spread = torchPredictions.Max() - torchPredictions.Min();
        Assert.True(spread > 0.1, $"prediction spread {spread}");
    }

    [Fact]
    public void Weights_round_trip_through_a_model()
    {
        var (train, _) = NeuralTestData.Planted(users: 30, items: 40, count: 800, seed: 4);
        var weights = NeuralTrainer.Train(train, null, new NeuralTrainingOptions { Epochs = 1, HiddenSizes = [16] }).Weights;

        using var model = NeuralRatingModel.FromWeights(weights);
        var again = model.ExportWeights();

        Assert.Equal(weights.UserEmbedding, again.UserEmbedding);
        Assert.Equal(weights.ItemEmbedding, again.ItemEmbedding);
        Assert.Equal(weights.Layers.Count, again.Layers.Count);
        for (var l = 0; l < weights.Layers.Count; l++)
        {
            Assert.Equal(weights.Layers[l].Weight, again.Layers[l].Weight);
            Assert.Equal(weights.Layers[l].Bias, again.Layers[l].Bias);
            Assert.Equal(weights.Layers[l].Relu, again.Layers[l].Relu);
        }

        var wrongShape = weights with { EmbeddingDim = 21 };
        Assert.Throws<ArgumentException>(() => model.LoadWeights(wrongShape));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict([30], [0]));
    }

    /// <summary>concat(user, item) → Linear (y = W x + b, W row-major [out x in]) → ReLU … in plain loops.</summary>
    private static double ManagedForward(NeuralWeights w, int user, int item)
    {
        var d = w.EmbeddingDim;
        var x = new double[2 * d];
        for (var k = 0; k < d; k++)
        {
            x[k] = w.UserEmbedding[(user * d) + k];
            x[d + k] = w.ItemEmbedding[(item * d) + k];
        }

        foreach (var layer in w.Layers)
        {
            var y = new double[layer.OutputSize];
            for (var o = 0; o < layer.OutputSize; o++)
            {
                double sum = layer.Bias[o];
                for (var j = 0; j < layer.InputSize; j++)
                {
                    sum += layer.Weight[(o * layer.InputSize) + j] * x[j];
                }

                y[o] = layer.Relu ? Math.Max(0, sum) : sum;
            }

            x = y;
        }

        return x[0];
    }
}
