using Recommender.Data;

namespace Recommender.Training.Tests.Implicit;

/// <summary>
/// Test data where what a user rates depends on taste, as in real logs (people mostly watch what
/// they expect to like): planted user and item factors give an affinity s = p·q ~ N(0, 1); each
/// user draws their items without replacement with probability ∝ popularity · exp(β·s) (Gumbel
/// top-n), and rates them round(3 + 1.2·s + noise) clamped to 1..5. A random 20% of the ratings is
/// held out. (<see cref="SyntheticDatasetGenerator"/> picks items by popularity alone, so there the
/// set of rated items says nothing about taste and no implicit model can beat popularity by much.)
/// </summary>
internal static class PlantedInteractions
{
    public static DataSplit Create(int users, int items, int rank, int meanPerUser, double exposure, int seed)
    {
        var random = new Random(seed);
        var scale = Math.Pow(rank, -0.25);
        var p = Gaussian(random, users * rank, scale);
        var q = Gaussian(random, items * rank, scale);
        var logPopularity = new double[items];
        for (var i = 0; i < items; i++)
        {
            logPopularity[i] = -0.7 * Math.Log(i + 5);
        }

        var userIds = new List<int>();
        var itemIds = new List<int>();
        var values = new List<float>();
        var keys = new double[items];
        var order = new int[items];
        for (var u = 0; u < users; u++)
        {
            var count = Math.Min(items / 3, 10 + (int)(-meanPerUser * Math.Log(1 - random.NextDouble())));
            for (var i = 0; i < items; i++)
            {
                keys[i] = -(logPopularity[i] + (exposure * Affinity(p, q, u, i, rank)) - Math.Log(-Math.Log(1 - random.NextDouble())));
                order[i] = i;
            }

            Array.Sort(keys, order);
            for (var n = 0; n < count; n++)
            {
                var item = order[n];
                var s = Affinity(p, q, u, item, rank);
                userIds.Add(u + 1);
                itemIds.Add(item + 1);
                values.Add((float)Math.Clamp(Math.Round(3 + (1.2 * s) + (0.5 * NextGaussian(random))), 1, 5));
            }
        }

        var isTest = userIds.Select(_ => random.NextDouble() < 0.2).ToArray();
        var table = new RatingTable([.. userIds], [.. itemIds], [.. values], new long[userIds.Count]);
        return new DataSplit(
            table.Select([.. Enumerable.Range(0, table.Count).Where(r => !isTest[r])]),
            table.Select([.. Enumerable.Range(0, table.Count).Where(r => isTest[r])]));
    }

    private static double Affinity(double[] p, double[] q, int user, int item, int rank)
    {
        double dot = 0;
        for (var f = 0; f < rank; f++)
        {
            dot += p[(user * rank) + f] * q[(item * rank) + f];
        }

        return dot;
    }

    private static double[] Gaussian(Random random, int count, double std)
    {
        var values = new double[count];
        for (var n = 0; n < count; n++)
        {
            values[n] = std * NextGaussian(random);
        }

        return values;
    }

    private static double NextGaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
