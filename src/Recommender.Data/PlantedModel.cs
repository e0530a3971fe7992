namespace Recommender.Data;

/// <summary>
/// The latent-factor model synthetic ratings are drawn from: global mean + user bias + item bias
/// + user·item factors. Biases and factors come from streams derived from (seed, user or item),
/// so any thread can rebuild a user's parameters without shared state.
/// </summary>
internal sealed class PlantedModel
{
    /// <summary>Tuned so that rounded, clamped ratings average about 3.5 with mostly 3s and 4s, as MovieLens.</summary>
    public const double GlobalMean = 3.54;

    private const double UserBiasStdDev = 0.45;
    private const double ItemBiasStdDev = 0.55;

    /// <summary>Standard deviation of the factor dot product: the personal-taste part of a rating.</summary>
    private const double InteractionStdDev = 0.55;

    private const ulong UserStream = 1;
    private const ulong ItemStream = 2;

    private readonly long _seed;
    private readonly double _factorStdDev;
    private readonly float[] _itemFactors;
    private readonly float[] _itemBiases;

    public PlantedModel(long seed, int items, int factors)
    {
        _seed = seed;
        Factors = factors;

        // Dot of two k-vectors with i.i.d. N(0, s²) entries has variance k·s⁴.
        _factorStdDev = Math.Sqrt(InteractionStdDev / Math.Sqrt(factors));
        _itemFactors = new float[(long)items * factors];
        _itemBiases = new float[items];
        for (var i = 0; i < items; i++)
        {
            var rng = StableRandom.ForStream(seed, ItemStream, i);
            _itemBiases[i] = (float)(rng.NextGaussian() * ItemBiasStdDev);
            for (var f = 0; f < factors; f++)
            {
                _itemFactors[(long)i * factors + f] = (float)(rng.NextGaussian() * _factorStdDev);
            }
        }
    }

    public int Factors { get; }

    /// <summary>Fills <paramref name="factors"/> with user <paramref name="user"/>'s factors and returns its bias.</summary>
    public double UserParameters(int user, Span<float> factors)
    {
        var rng = StableRandom.ForStream(_seed, UserStream, user);
        var bias = rng.NextGaussian() * UserBiasStdDev;
        for (var f = 0; f < factors.Length; f++)
        {
            factors[f] = (float)(rng.NextGaussian() * _factorStdDev);
        }

        return bias;
    }

    /// <summary>The noiseless planted score of (user, item), not yet clipped or rounded.</summary>
    public double Score(double userBias, ReadOnlySpan<float> userFactors, int item)
    {
        var q = _itemFactors.AsSpan((int)((long)item * Factors), Factors);
        double dot = 0;
        for (var f = 0; f < q.Length; f++)
        {
            dot += userFactors[f] * q[f];
        }

        return GlobalMean + userBias + _itemBiases[item] + dot;
    }
}
