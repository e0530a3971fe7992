using Recommender.Data;

namespace Recommender.Training.Tests;

/// <summary>Synthetic ratings with planted structure, built deterministically for the neural tests.</summary>
internal static class NeuralTestData
{
    /// <summary>
    /// Ratings = 3.5 + user bias + item bias + a rank-<paramref name="rank"/> interaction + Gaussian
    /// noise, on distinct random (user, item) pairs; split into train and validation. Like
    /// MovieLens, biases dominate (std 0.6 each), the interaction is smaller (std ~0.3).
    /// </summary>
    public static (IndexedRatings Train, IndexedRatings Validation) Planted(
        int users, int items, int count, int rank = 3, double noise = 0.3, double validationFraction = 0.2, int seed = 7)
    {
        var random = new Random(seed);
        var factorScale = Math.Sqrt(0.3 / Math.Sqrt(rank));
        var p = Gaussian(random, users * rank, factorScale);
        var q = Gaussian(random, items * rank, factorScale);
        var bu = Gaussian(random, users, 0.6);
        var bi = Gaussian(random, items, 0.6);
        var u = new int[count];
        var i = new int[count];
        var v = new float[count];
        var seen = new HashSet<long>();
        for (var r = 0; r < count;)
        {
            var user = random.Next(users);
            var item = random.Next(items);
            if (!seen.Add(((long)user * items) + item))
            {
                continue;
            }

            double dot = 0;
            for (var k = 0; k < rank; k++)
            {
                dot += p[(user * rank) + k] * q[(item * rank) + k];
            }

            u[r] = user;
            i[r] = item;
            v[r] = (float)(3.5 + bu[user] + bi[item] + dot + (noise * NextGaussian(random)));
            r++;
        }

        return Split(u, i, v, users, items, validationFraction);
    }

    /// <summary>Uniformly random ratings 1..5: nothing to learn beyond the mean, easy to overfit.</summary>
    public static (IndexedRatings Train, IndexedRatings Validation) Noise(int users, int items, int count, int seed = 11)
    {
        var random = new Random(seed);
        var u = new int[count];
        var i = new int[count];
        var v = new float[count];
        for (var r = 0; r < count; r++)
        {
            u[r] = random.Next(users);
            i[r] = random.Next(items);
            v[r] = random.Next(1, 6);
        }

        return Split(u, i, v, users, items, 0.3);
    }

    public static double GlobalMeanRmse(IndexedRatings train, IndexedRatings validation)
    {
        var mean = train.Values.Average(x => (double)x);
        return Math.Sqrt(validation.Values.Average(x => (x - mean) * (x - mean)));
    }

    private static (IndexedRatings, IndexedRatings) Split(int[] u, int[] i, float[] v, int users, int items, double validationFraction)
    {
        var trainCount = (int)Math.Round(u.Length * (1 - validationFraction));
        return (
            new IndexedRatings(u[..trainCount], i[..trainCount], v[..trainCount], users, items),
            new IndexedRatings(u[trainCount..], i[trainCount..], v[trainCount..], users, items));
    }

    private static double[] Gaussian(Random random, int n, double scale)
    {
        var result = new double[n];
        for (var k = 0; k < n; k++)
        {
            result[k] = scale * NextGaussian(random);
        }

        return result;
    }

    private static double NextGaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
