namespace Recommender.Training.Mf;

/// <summary>
/// Normal(0, std) samples from a seeded <see cref="Random"/> by the polar Box–Muller method:
/// reproducible for a given seed on every platform and runtime, unlike library samplers whose
/// algorithm may change between versions.
/// </summary>
internal sealed class GaussianSampler(int seed)
{
    private readonly Random random = new(seed);
    private double spare;
    private bool hasSpare;

    public float Next(float std)
    {
        if (hasSpare)
        {
            hasSpare = false;
            return (float)(spare * std);
        }

        // Marsaglia's polar form of Box–Muller: a point uniform in the unit disc gives two
        // independent normals with one logarithm and one square root, and no sine or cosine.
        double x;
        double y;
        double radius2;
        do
        {
            x = (2.0 * random.NextDouble()) - 1.0;
            y = (2.0 * random.NextDouble()) - 1.0;
            radius2 = (x * x) + (y * y);
        }
        while (radius2 >= 1.0 || radius2 == 0.0);

        var scale = Math.Sqrt(-2.0 * Math.Log(radius2) / radius2);
        spare = y * scale;
        hasSpare = true;
        return (float)(x * scale * std);
    }
}
