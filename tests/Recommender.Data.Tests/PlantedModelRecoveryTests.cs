namespace Recommender.Data.Tests;

/// <summary>
/// The synthetic data must carry learnable structure, or downstream "MF recovers the planted
/// model" checks would mean nothing: a plain biased-MF SGD (written here, independent of the
/// training library) gets close to the reported noise floor, and clearly beats biases alone.
/// </summary>
public sealed class PlantedModelRecoveryTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Biased_mf_approaches_the_noise_floor_and_beats_a_bias_only_model()
    {
        var summary = new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 600, Items = 800, Ratings = 120_000 })
            .Generate(_temp.Sub("syn"));
        var split = DatasetSplitter.Split(DatasetLoader.Load(summary.Folder), SplitSpec.Parse("random:0.1"), seed: 1);
        var set = TrainingSet.Build(split);

        var mf = TrainAndTest(set, factors: 10);
        var biasesOnly = TrainAndTest(set, factors: 0);

        Assert.True(mf < summary.NoiseFloorRmse + 0.12, $"MF test RMSE {mf:F3} vs floor {summary.NoiseFloorRmse:F3}");
        Assert.True(mf > summary.NoiseFloorRmse - 0.05, $"MF test RMSE {mf:F3} below the floor {summary.NoiseFloorRmse:F3}: the floor is wrong");
        Assert.True(biasesOnly > mf + 0.05, $"bias-only {biasesOnly:F3} vs MF {mf:F3}: the planted factors should matter");
    }

    private static double TrainAndTest(TrainingSet set, int factors)
    {
        const float Lr = 0.01f;
        const float Reg = 0.03f;
        var train = set.Train;
        var rng = new Random(5);
        var p = Enumerable.Range(0, train.UserCount * factors).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.1f).ToArray();
        var q = Enumerable.Range(0, train.ItemCount * factors).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.1f).ToArray();
        var bu = new float[train.UserCount];
        var bi = new float[train.ItemCount];
        var mu = train.Values.Average();

        float Predict(int u, int i)
        {
            var s = mu + bu[u] + bi[i];
            for (var f = 0; f < factors; f++)
            {
                s += p[u * factors + f] * q[i * factors + f];
            }

            return s;
        }

        for (var epoch = 0; epoch < 40; epoch++)
        {
            for (var r = 0; r < train.Count; r++)
            {
                int u = train.Users[r], i = train.Items[r];
                var e = train.Values[r] - Predict(u, i);
                bu[u] += Lr * (e - Reg * bu[u]);
                bi[i] += Lr * (e - Reg * bi[i]);
                for (var f = 0; f < factors; f++)
                {
                    var pu = p[u * factors + f];
                    var qi = q[i * factors + f];
                    p[u * factors + f] += Lr * (e * qi - Reg * pu);
                    q[i * factors + f] += Lr * (e * pu - Reg * qi);
                }
            }
        }

        var test = set.TestKnown;
        var predicted = new float[test.Count];
        for (var r = 0; r < test.Count; r++)
        {
            predicted[r] = Math.Clamp(Predict(test.Users[r], test.Items[r]), 1, 5);
        }

        return RatingMetrics.Rmse(test.Values, predicted);
    }
}
