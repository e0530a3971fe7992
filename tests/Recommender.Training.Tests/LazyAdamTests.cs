using Recommender.Data;
using Recommender.Models.Neural;
using Recommender.Training.Neural;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recommender.Training.Tests;

/// <summary>
/// Lazy ("sparse") Adam on the embedding tables: its step against a hand-computed Adam, rows no
/// batch looks up left bit-for-bit alone, Auto's choice by catalog size, and training that still
/// learns as well as dense Adam.
/// </summary>
public sealed class LazyAdamTests
{
    private const double LearningRate = 0.01;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Eps = 1e-7;

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void Two_lazy_steps_equal_a_hand_computed_adam_on_the_touched_rows_and_leave_the_others_alone(double weightDecay)
    {
        const int rows = 5;
        const int width = 3;
        float[] initial = [.. Enumerable.Range(0, rows * width).Select(k => (float)(0.1 * Math.Sin(k + 1)))];
        float[] initialDense = [0.5f, -0.25f, 1f, 2f];
        // Step 1 looks up rows 1, 3, 1 (row 1 twice: its gradients add up); step 2 rows 0 and 3.
        // Rows 2 and 4 are never looked up.
        long[][] lookups = [[1, 3, 1], [0, 3]];
        float[][] upstream = [
            [0.3f, -0.2f, 0.5f, 1.0f, 0.4f, -0.6f, -0.1f, 0.7f, 0.2f],
            [-0.8f, 0.05f, 0.3f, 0.25f, -0.45f, 0.9f],
        ];
        float[][] denseGradients = [[0.1f, -0.3f, 0.2f, 0.05f], [-0.2f, 0.1f, 0.4f, -0.6f]];

        using var scope = torch.NewDisposeScope();
        Embedding embedding;
        using (TorchGate.Enter())
        {
            // Creating it draws from torch's generator: not while a seeded training runs beside.
            embedding = nn.Embedding(rows, width, sparse: true);
        }

        using (torch.no_grad())
        {
            embedding.weight!.copy_(torch.tensor(initial, [rows, width]));
        }

        var table = embedding.weight!;
        var dense = new Parameter(torch.tensor(initialDense));
        var adam = new LazyAdam([table], [dense], LearningRate, Beta1, Beta2, Eps, weightDecay);

        var expected = new Reference(initial, width, weightDecay);
        var expectedDense = new Reference(initialDense, initialDense.Length, weightDecay);
        for (var step = 0; step < lookups.Length; step++)
        {
            var output = embedding.forward(torch.tensor(lookups[step]));
            // d(loss)/d(output) = upstream, d(loss)/d(dense) = denseGradients[step].
            var loss = (output * torch.tensor(upstream[step], [lookups[step].Length, width])).sum()
                + (dense * torch.tensor(denseGradients[step])).sum();
            loss.backward();
            Assert.True(table.grad!.is_sparse);
            adam.Step();
            Assert.Null(table.grad);
            Assert.Null(dense.grad);

            var rowGradients = new Dictionary<int, double[]>();
            for (var k = 0; k < lookups[step].Length; k++)
            {
                var row = (int)lookups[step][k];
                var sum = rowGradients.TryGetValue(row, out var existing) ? existing : rowGradients[row] = new double[width];
                for (var c = 0; c < width; c++)
                {
                    sum[c] += upstream[step][(k * width) + c];
                }
            }

            expected.Step(step + 1, rowGradients);
            expectedDense.Step(step + 1, new Dictionary<int, double[]> { [0] = [.. denseGradients[step].Select(g => (double)g)] });

            var actual = table.detach().data<float>().ToArray();
            for (var k = 0; k < actual.Length; k++)
            {
                Assert.True(Math.Abs(actual[k] - expected.Values[k]) < 1e-6, $"step {step + 1}, table element {k}: {actual[k]} vs {expected.Values[k]}");
            }

            var actualDense = dense.detach().data<float>().ToArray();
            for (var k = 0; k < actualDense.Length; k++)
            {
                Assert.True(Math.Abs(actualDense[k] - expectedDense.Values[k]) < 1e-6, $"step {step + 1}, dense element {k}: {actualDense[k]} vs {expectedDense.Values[k]}");
            }
        }

        // Never looked up: bit-for-bit the initial rows, weight decay or not.
        var final = table.detach().data<float>().ToArray();
        foreach (var row in new[] { 2, 4 })
        {
            Assert.Equal(initial.AsSpan(row * width, width).ToArray(), final.AsSpan(row * width, width).ToArray());
        }

        Assert.Equal(2, adam.Steps);
    }

    [Fact]
    public void The_dense_parameter_step_matches_torchs_adam()
    {
        float[] initial = [0.5f, -0.25f, 1f, 2f, -1.5f, 0.125f, 3f, -0.75f, 0.3f];
        float[][] gradients = [[0.1f, -0.3f, 0.2f, 0.05f, 0.9f, -0.4f, 0.0f, 0.33f, -0.12f], [-0.2f, 0.1f, 0.4f, -0.6f, 0.2f, 0.2f, -1f, 0.5f, 0.07f]];

        using var scope = torch.NewDisposeScope();
        var ours = new Parameter(torch.tensor(initial));
        var theirs = new Parameter(torch.tensor(initial));
        var lazy = new LazyAdam([], [ours], LearningRate, Beta1, Beta2, Eps, weightDecay: 0.05);
        using var adam = torch.optim.Adam([theirs], lr: LearningRate, beta1: Beta1, beta2: Beta2, eps: Eps, weight_decay: 0.05);
        foreach (var gradient in gradients)
        {
            (ours * torch.tensor(gradient)).sum().backward();
            lazy.Step();
            adam.zero_grad();
            (theirs * torch.tensor(gradient)).sum().backward();
            adam.step();
        }

        var actual = ours.detach().data<float>().ToArray();
        var expected = theirs.detach().data<float>().ToArray();
        for (var k = 0; k < actual.Length; k++)
        {
            Assert.True(Math.Abs(actual[k] - expected[k]) < 1e-6, $"element {k}: {actual[k]} vs torch's {expected[k]}");
        }
    }

    [Fact]
    public void Auto_is_dense_at_ml100k_and_ml1m_size_and_lazy_at_ml25m_size()
    {
        var auto = new NeuralTrainingOptions();
        Assert.Equal(EmbeddingUpdates.Auto, auto.EmbeddingUpdates);
        Assert.Equal(EmbeddingUpdates.Auto, NeuralTrainingOptions.NeuMfDefaults.EmbeddingUpdates);
        Assert.False(auto.UsesLazyEmbeddingUpdates(943, 1682));
        Assert.False(auto.UsesLazyEmbeddingUpdates(6040, 3706));
        Assert.True(auto.UsesLazyEmbeddingUpdates(162_541, 59_047));
        Assert.True(auto.UsesLazyEmbeddingUpdates(20_000, 62_000));

        Assert.True((auto with { EmbeddingUpdates = EmbeddingUpdates.Lazy }).UsesLazyEmbeddingUpdates(943, 1682));
        Assert.False((auto with { EmbeddingUpdates = EmbeddingUpdates.Dense }).UsesLazyEmbeddingUpdates(162_541, 59_047));
        Assert.Contains(new NeuralTrainingOptions { EmbeddingUpdates = (EmbeddingUpdates)7 }.GetErrors(), e => e.Contains("EmbeddingUpdates", StringComparison.Ordinal));
    }

    [Fact]
    public void Lazy_training_leaves_the_rows_of_users_without_ratings_exactly_as_initialized()
    {
        // Users 150..159 have no training ratings. Weight decay makes dense Adam shrink their rows
        // (wd·θ is their whole gradient); lazy Adam never touches them.
        var (planted, _) = NeuralTestData.Planted(users: 150, items: 200, count: 6_000);
        var train = new IndexedRatings(planted.Users, planted.Items, planted.Values, userCount: 160, itemCount: 200);
        var options = new NeuralTrainingOptions { Epochs = 2, WeightDecay = 0.01, Seed = 9 };

        NeuralWeights initial;
        using (TorchGate.Enter())
        {
            // The trainer seeds, then builds the model: the same draws give the same initial rows.
            torch.manual_seed(options.Seed);
            using var model = new NeuralRatingModel(160, 200, options.EmbeddingDim, options.HiddenSizes);
            initial = model.ExportWeights();
        }

        var lazy = NeuralTrainer.Train(train, null, options with { EmbeddingUpdates = EmbeddingUpdates.Lazy }).Weights;
        var dense = NeuralTrainer.Train(train, null, options with { EmbeddingUpdates = EmbeddingUpdates.Dense }).Weights;

        var d = options.EmbeddingDim;
        Assert.Equal(initial.UserEmbedding[(150 * d)..], lazy.UserEmbedding[(150 * d)..]);
        Assert.NotEqual(initial.UserEmbedding[(150 * d)..], dense.UserEmbedding[(150 * d)..]);
        // The users with ratings did train.
        Assert.NotEqual(initial.UserEmbedding[..(150 * d)], lazy.UserEmbedding[..(150 * d)]);
    }

    public static TheoryData<string> Architectures => new() { "seed", "neumf" };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Lazy_training_learns_about_as_well_as_dense(string architecture)
    {
        var (train, validation) = NeuralTestData.Planted(users: 150, items: 200, count: 12_000);
        var options = architecture == "seed"
            ? new NeuralTrainingOptions()
            : NeuralTrainingOptions.NeuMfDefaults with { SideFeatures = false };

        var dense = NeuralTrainer.Train(train, validation, options with { EmbeddingUpdates = EmbeddingUpdates.Dense });
        var lazy = NeuralTrainer.Train(train, validation, options with { EmbeddingUpdates = EmbeddingUpdates.Lazy });

        var denseRmse = dense.FinalReport.ValidationRmse!.Value;
        var lazyRmse = lazy.FinalReport.ValidationRmse!.Value;
        var baseline = NeuralTestData.GlobalMeanRmse(train, validation);
        Assert.True(lazyRmse < 0.7 * baseline, $"lazy validation RMSE {lazyRmse:F4} vs global-mean baseline {baseline:F4}");
        Assert.True(Math.Abs(lazyRmse - denseRmse) < 0.02, $"lazy {lazyRmse:F4} vs dense {denseRmse:F4}");
        Assert.True(lazy.Epochs[^1].TrainMse < lazy.Epochs[0].TrainMse);
        // Lazy and dense Adam are different optimizers: the weights differ.
        Assert.NotEqual(dense.Weights.UserEmbedding, lazy.Weights.UserEmbedding);
    }

    /// <summary>Adam in double on the rows given a gradient; bias correction by the global step.</summary>
    private sealed class Reference(float[] initial, int width, double weightDecay)
    {
        private readonly double[] m = new double[initial.Length];
        private readonly double[] v = new double[initial.Length];

        public double[] Values { get; } = [.. initial.Select(x => (double)x)];

        public void Step(int t, Dictionary<int, double[]> rowGradients)
        {
            foreach (var (row, gradient) in rowGradients)
            {
                for (var c = 0; c < width; c++)
                {
                    var k = (row * width) + c;
                    var g = gradient[c] + (weightDecay * Values[k]);
                    m[k] = (Beta1 * m[k]) + ((1 - Beta1) * g);
                    v[k] = (Beta2 * v[k]) + ((1 - Beta2) * g * g);
                    var mHat = m[k] / (1 - Math.Pow(Beta1, t));
                    var vHat = v[k] / (1 - Math.Pow(Beta2, t));
                    Values[k] -= LearningRate * mHat / (Math.Sqrt(vHat) + Eps);
                }
            }
        }
    }
}
