namespace Recommender.Serving;

/// <summary>
/// Scoring concurrent Recommend calls together in one shared scan of the item factors
/// (<see cref="BatchedTopNRanker"/>) for the kinds whose scores are dot products over item factors
/// (MF, implicit). It pays where the item factors do not stay in cache, i.e. on large catalogs;
/// below <see cref="FromFactorBytes"/> each call scores alone.
/// </summary>
public sealed class TopNBatchingOptions
{
    /// <summary>Off: every call scores the catalog alone (the float SIMD or ONNX ranker chosen at load).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Item factors (bytes, as floats) from which calls are scored together: 8 MB, beyond the caches of a small server.</summary>
    public long FromFactorBytes { get; set; } = 8L << 20;

    /// <summary>
    /// How the scored copy of the item factors is stored: bfloat16 (half the bytes per block, the
    /// candidates re-scored in float, exact by a bound check) or float.
    /// </summary>
    public PanelPrecision Precision { get; set; } = PanelPrecision.BFloat16;

    /// <summary>Most calls in the shared scan at once (each adds its share of every slice's work); later calls join as places free up.</summary>
    public int MaxUsers { get; set; } = 16;

    /// <summary>Scanner threads of the shared scan (each loaded ranker has its own, asleep while no call runs): one per core, at most four.</summary>
    public int ScanThreads { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 4);
}
