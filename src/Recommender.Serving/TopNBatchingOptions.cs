namespace Recommender.Serving;

/// <summary>
/// Scoring concurrent Recommend calls together (<see cref="BatchedTopNRanker"/>) for the kinds whose
/// scores are dot products over item factors (MF, implicit). It pays where the item factors do not
/// stay in cache, i.e. on large catalogs; below <see cref="FromFactorBytes"/> each call scores alone.
/// </summary>
public sealed class TopNBatchingOptions
{
    /// <summary>Off: every call scores the catalog alone (the float SIMD or ONNX ranker chosen at load).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Item factors (bytes, as floats) from which calls are scored together: 8 MB, beyond the caches of a small server.</summary>
    public long FromFactorBytes { get; set; } = 8L << 20;

    /// <summary>Most users in one block.</summary>
    public int MaxUsers { get; set; } = 16;

    /// <summary>Blocks scored at once (each on a caller's thread): one per core.</summary>
    public int ConcurrentBlocks { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>How long a call that finds a free slot waits for company. Zero: it takes only what is already queued.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.Zero;
}
