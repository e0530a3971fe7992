using Recommender.Training.Mf;

namespace Recommender.Training.Tests.Mf;

public sealed class MfInitializationTests
{
    [Fact]
    public void Sampler_draws_normal_values_with_the_requested_spread()
    {
        var sampler = new GaussianSampler(seed: 3);
        const int count = 200_000;
        const float std = 1f / 15;
        double sum = 0;
        double squares = 0;
        var withinOneStd = 0;
        for (var n = 0; n < count; n++)
        {
            double x = sampler.Next(std);
            sum += x;
            squares += x * x;
            withinOneStd += Math.Abs(x) <= std ? 1 : 0;
        }

        var mean = sum / count;
        Assert.True(Math.Abs(mean) < 0.01 * std, $"mean {mean}");
        Assert.Equal(std, Math.Sqrt((squares / count) - (mean * mean)), 0.01 * std);
        Assert.Equal(0.6827, withinOneStd / (double)count, 0.005); // normal, not uniform (0.577 at the same std)
    }

    [Fact]
    public void Random_factors_use_the_init_std_and_leave_the_padding_zero()
    {
        var parameters = MfParameters.CreateRandom(3000, 2000, 10, 16, biased: true, 3.5f, 0.05f, seed: 1);

        var values = new List<double>();
        for (var row = 0; row < 3000; row++)
        {
            var span = parameters.UserFactors.AsSpan(row * 16, 16);
            values.AddRange(span[..10].ToArray().Select(v => (double)v));
            Assert.All(span[10..].ToArray(), v => Assert.Equal(0f, v));
        }

        var std = Math.Sqrt(values.Average(v => v * v));
        Assert.Equal(0.05, std, 0.001);
        Assert.All(parameters.UserBias!, b => Assert.Equal(0f, b));
        Assert.Equal(parameters.UserFactors, MfParameters.CreateRandom(3000, 2000, 10, 16, true, 3.5f, 0.05f, seed: 1).UserFactors);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Taking_the_model_in_place_gives_the_copied_model(bool biased)
    {
        const int users = 137;
        const int items = 61;
        const int factors = 8;
        var random = new Random(9);
        var userRows = Enumerable.Range(0, users).ToArray();
        var itemRows = Enumerable.Range(0, items).ToArray();
        random.Shuffle(userRows);
        random.Shuffle(itemRows);
        var zeroAt = Array.IndexOf(userRows, 0);
        (userRows[0], userRows[zeroAt]) = (userRows[zeroAt], userRows[0]); // a fixed point among the cycles
        var made = () =>
        {
            var p = MfParameters.CreateRandom(users, items, factors, factors, biased, 3.5f, 0.1f, 4, userRows, itemRows);
            if (p.UserBias is { } ub && p.ItemBias is { } ib)
            {
                for (var n = 0; n < ub.Length; n++)
                {
                    ub[n] = n * 0.01f;
                }

                for (var n = 0; n < ib.Length; n++)
                {
                    ib[n] = -n * 0.02f;
                }
            }

            return p;
        };
        var copied = made().ToModel(1f, 5f);

        var parameters = made();
        var taken = parameters.TakeModel(1f, 5f);

        Assert.Same(parameters.UserFactors, taken.UserFactors);
        Assert.Equal(copied.UserFactors, taken.UserFactors);
        Assert.Equal(copied.ItemFactors, taken.ItemFactors);
        Assert.Equal(copied.Biases?.User, taken.Biases?.User);
        Assert.Equal(copied.Biases?.Item, taken.Biases?.Item);
        Assert.Equal(copied.Biases?.GlobalMean, taken.Biases?.GlobalMean);
        Assert.Equal(copied.RawScore(5, 7), taken.RawScore(5, 7));
    }
}
