namespace Recommender.Training.Mf.Bayesian;

/// <summary>
/// The sampler's random source: SplitMix64 over a state derived from (seed, sweep, row), so each
/// row's draw in each sweep is fixed whatever the thread that samples it; normals by the polar
/// method, gamma by Marsaglia and Tsang. Our own code, so a seed means the same model forever.
/// </summary>
internal struct GibbsRandom
{
    private ulong _state;
    private double _spare;
    private bool _hasSpare;

    public GibbsRandom(int seed, long stream, long index)
    {
        _state = Mix(((ulong)(uint)seed << 32) ^ Mix((ulong)stream + 0x9E3779B97F4A7C15UL) ^ Mix((ulong)index * 0xD1B54A32D192ED03UL));
        _spare = 0;
        _hasSpare = false;
    }

    /// <summary>Uniform in (0, 1).</summary>
    public double NextUniform()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return ((Mix(_state) >> 11) + 0.5) * (1.0 / (1UL << 53));
    }

    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }

        double x, y, r2;
        do
        {
            x = (2 * NextUniform()) - 1;
            y = (2 * NextUniform()) - 1;
            r2 = (x * x) + (y * y);
        }
        while (r2 >= 1 || r2 == 0);

        var scale = Math.Sqrt(-2 * Math.Log(r2) / r2);
        _spare = y * scale;
        _hasSpare = true;
        return x * scale;
    }

    /// <summary>Gamma(shape, scale 1).</summary>
    public double NextGamma(double shape)
    {
        if (shape < 1)
        {
            // Boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
            return NextGamma(shape + 1) * Math.Pow(NextUniform(), 1 / shape);
        }

        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextGaussian();
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = NextUniform();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
