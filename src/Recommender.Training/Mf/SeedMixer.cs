namespace Recommender.Training.Mf;

/// <summary>
/// Derives the seed of an independent random sub-stream (one per chunk of rows, one per block)
/// from the run's seed, with the SplitMix64 finalizer: nearby inputs give unrelated streams, and
/// the derivation is fixed, unlike <see cref="HashCode"/>, which is randomized per process. Work
/// split this way can run in parallel and still give the same numbers for a seed on any machine.
/// </summary>
internal static class SeedMixer
{
    public static int Mix(int seed, int stream)
    {
        var z = ((ulong)(uint)seed << 32) + (uint)stream + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }
}
