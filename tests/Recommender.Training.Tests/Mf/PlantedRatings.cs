using Recommender.Data;

namespace Recommender.Training.Tests.Mf;

/// <summary>
/// Test data with a known answer: ratings drawn from a planted low-rank model with biases plus
/// Gaussian noise of standard deviation sigma (no rounding), split 80/20 at random. A model that
/// recovers the planted one has held-out RMSE close to sigma.
/// </summary>
internal static class PlantedRatings
{
    public static (IndexedRatings Train, IndexedRatings Test) Create(int users, int items, int count, int rank, double sigma, int seed)
    {
        var random = new Random(seed);
        var p = Gaussian(random, users * rank, 0.6 / Math.Sqrt(rank));
        var q = Gaussian(random, items * rank, 0.6 / Math.Sqrt(rank));
        var userBias = Gaussian(random, users, 0.3);
        var itemBias = Gaussian(random, items, 0.4);
        const double mean = 3.5;

        var seen = new HashSet<long>();
        var u = new int[count];
        var i = new int[count];
        var r = new float[count];
        for (var n = 0; n < count;)
        {
            var user = random.Next(users);
            var item = random.Next(items);
            if (!seen.Add(((long)user * items) + item))
            {
                continue;
            }

            var score = mean + userBias[user] + itemBias[item];
            for (var f = 0; f < rank; f++)
            {
                score += p[(user * rank) + f] * q[(item * rank) + f];
            }

            u[n] = user;
            i[n] = item;
            r[n] = (float)(score + (sigma * NextGaussian(random)));
            n++;
        }

        var trainCount = count * 4 / 5;
        return (
            new IndexedRatings(u[..trainCount], i[..trainCount], r[..trainCount], users, items),
            new IndexedRatings(u[trainCount..], i[trainCount..], r[trainCount..], users, items));
    }

    public static double[] Gaussian(Random random, int count, double std)
    {
        var values = new double[count];
        for (var n = 0; n < count; n++)
        {
            values[n] = std * NextGaussian(random);
        }

        return values;
    }

    public static double NextGaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
