namespace Recommender.Training.Mf;

/// <summary>
/// Normal(0, std) samples from a seeded <see cref="Random"/> by the Box–Muller transform:
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

        // 1 - NextDouble() lies in (0, 1], so the logarithm is finite.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        var angle = 2.0 * Math.PI * u2;
        spare = radius * Math.Sin(angle);
        hasSpare = true;
        return (float)(radius * Math.Cos(angle) * std);
    }
}
