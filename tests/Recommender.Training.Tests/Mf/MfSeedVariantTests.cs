using Recommender.Data;
using Recommender.Training.Mf;

namespace Recommender.Training.Tests.Mf;

public sealed class MfSeedVariantTests
{
    private static readonly MfTrainingOptions OneStep = MfTrainingOptions.SeedDefaults with
    {
        Factors = 2,
        Epochs = 1,
        LearningRate = 0.1f,
        Regularization = 0.5f,
    };

    [Fact]
    public void One_step_matches_the_update_worked_out_by_hand()
    {
        // One user, one item, rating 4; p = (1, 2), q = (0.5, 1).
        // pred = clip(1*0.5 + 2*1) = 2.5, err = 1.5
        // p' = p + 0.1 * (1.5 q - 0.5 p) = (1 + 0.1*(0.75 - 0.5), 2 + 0.1*(1.5 - 1)) = (1.025, 2.05)
        // q' = q + 0.1 * (1.5 p' - 0.5 q)   <- the NEW p, as in the notebook
        //    = (0.5 + 0.1*(1.5375 - 0.25), 1 + 0.1*(3.075 - 0.5)) = (0.62875, 1.2575)
        var ratings = new IndexedRatings([0], [0], [4f], 1, 1);

        var result = MfTrainer.Train(ratings, null, OneStep, null, [1f, 2f], [0.5f, 1f], CancellationToken.None);

        Assert.Equal(1.025f, result.Model.UserFactors[0], 6);
        Assert.Equal(2.05f, result.Model.UserFactors[1], 6);
        Assert.Equal(0.62875f, result.Model.ItemFactors[0], 6);
        Assert.Equal(1.2575f, result.Model.ItemFactors[1], 6);
        Assert.Null(result.Model.Biases);
    }

    [Fact]
    public void Error_uses_the_clipped_prediction()
    {
        // p = (2, 1.5), q = (2, 2): p·q = 7, clipped to 5, rating 5, so err = 0 and only the
        // penalty acts: p' = p - 0.1*0.5*p = 0.95 p = (1.9, 1.425); q' = 0.95 q = (1.9, 1.9).
        // Then user 0 rates item 1 (q = (1, 0)) 1: p'·q = 1.9, err = -0.9,
        // p'' = p' + 0.1*(-0.9 q - 0.5 p') = (1.9 + 0.1*(-0.9 - 0.95), 1.425 + 0.1*(0 - 0.7125)) = (1.715, 1.35375)
        // q1' = q + 0.1*(-0.9 p'' - 0.5 q) = (1 + 0.1*(-1.5435 - 0.5), 0.1*(-1.218375)) = (0.79565, -0.1218375)
        var ratings = new IndexedRatings([0, 0], [0, 1], [5f, 1f], 1, 2);

        var result = MfTrainer.Train(ratings, null, OneStep, null, [2f, 1.5f], [2f, 2f, 1f, 0f], CancellationToken.None);

        Assert.Equal(1.715f, result.Model.UserFactors[0], 5);
        Assert.Equal(1.35375f, result.Model.UserFactors[1], 5);
        Assert.Equal(1.9f, result.Model.ItemFactors[0], 5);
        Assert.Equal(1.9f, result.Model.ItemFactors[1], 5);
        Assert.Equal(0.79565f, result.Model.ItemFactors[2], 5);
        Assert.Equal(-0.1218375f, result.Model.ItemFactors[3], 5);
    }

    [Fact]
    public void Matches_a_naive_reference_loop_bit_for_bit()
    {
        const int users = 30;
        const int items = 40;
        const int k = 15;
        const float lr = 0.01f;
        const float reg = 0.1f;
        const int epochs = 5;
        var (ratings, _) = PlantedRatings.Create(users, items, 600, 3, 0.5, seed: 7);
        var random = new Random(11);
        var p = new float[users * k];
        var q = new float[items * k];
        for (var n = 0; n < p.Length; n++)
        {
            p[n] = (float)(random.NextDouble() - 0.5);
        }

        for (var n = 0; n < q.Length; n++)
        {
            q[n] = (float)(random.NextDouble() - 0.5);
        }

        var options = MfTrainingOptions.SeedDefaults with { Epochs = epochs };
        var result = MfTrainer.Train(ratings, null, options, null, (float[])p.Clone(), (float[])q.Clone(), CancellationToken.None);

        // The notebook's loop, written out independently of the trainer.
        var expectedMse = new double[epochs];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            for (var n = 0; n < ratings.Count; n++)
            {
                int u = ratings.Users[n], m = ratings.Items[n];
                var dot = 0f;
                for (var f = 0; f < k; f++)
                {
                    dot += p[(u * k) + f] * q[(m * k) + f];
                }

                var err = ratings.Values[n] - Math.Clamp(dot, 1f, 5f);
                for (var f = 0; f < k; f++)
                {
                    p[(u * k) + f] = p[(u * k) + f] + (lr * ((err * q[(m * k) + f]) - (reg * p[(u * k) + f])));
                }

                for (var f = 0; f < k; f++)
                {
                    q[(m * k) + f] = q[(m * k) + f] + (lr * ((err * p[(u * k) + f]) - (reg * q[(m * k) + f])));
                }
            }

            double sse = 0;
            for (var n = 0; n < ratings.Count; n++)
            {
                int u = ratings.Users[n], m = ratings.Items[n];
                double dot = 0;
                for (var f = 0; f < k; f++)
                {
                    dot += p[(u * k) + f] * q[(m * k) + f];
                }

                var e = ratings.Values[n] - Math.Clamp(dot, 1.0, 5.0);
                sse += e * e;
            }

            expectedMse[epoch] = sse / ratings.Count;
        }

        Assert.Equal(p, result.Model.UserFactors);
        Assert.Equal(q, result.Model.ItemFactors);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            // Factors are bit-exact; the MSE differs only by the order of the float dot product.
            Assert.Equal(expectedMse[epoch], result.Epochs[epoch].TrainMse, 1e-5);
        }
    }

    [Fact]
    public void Notebook_settings_reduce_train_mse_every_epoch()
    {
        var (ratings, _) = PlantedRatings.Create(200, 300, 30000, 5, 0.8, seed: 3);

        var result = MfTrainer.Train(ratings, null, MfTrainingOptions.SeedDefaults);

        Assert.Equal(20, result.Epochs.Count);
        Assert.Equal(1, result.Threads);
        for (var e = 1; e < result.Epochs.Count; e++)
        {
            Assert.True(result.Epochs[e].TrainMse < result.Epochs[e - 1].TrainMse, $"epoch {e + 1}: {result.Epochs[e].TrainMse} vs {result.Epochs[e - 1].TrainMse}");
        }

        Assert.True(result.Epochs[^1].TrainMse < 0.5 * result.Epochs[0].TrainMse);
    }

    [Fact]
    public void Same_seed_gives_the_same_model()
    {
        var (ratings, _) = PlantedRatings.Create(50, 60, 1500, 3, 0.5, seed: 5);
        var options = MfTrainingOptions.SeedDefaults with { Epochs = 3, Seed = 42 };

        var first = MfTrainer.Train(ratings, null, options);
        var second = MfTrainer.Train(ratings, null, options);
        var other = MfTrainer.Train(ratings, null, options with { Seed = 43 });

        Assert.Equal(first.Model.UserFactors, second.Model.UserFactors);
        Assert.Equal(first.Model.ItemFactors, second.Model.ItemFactors);
        Assert.NotEqual(first.Model.UserFactors, other.Model.UserFactors);
    }
}
