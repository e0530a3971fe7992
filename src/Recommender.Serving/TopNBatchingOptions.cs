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

    /// <summary>
    /// Blocks scored at once (each on a caller's thread). One: every call that arrives while a block
    /// runs joins the next, so the factors stream once per block (two measured 2–3× fewer calls per block).
    /// </summary>
    public int ConcurrentBlocks { get; set; } = 1;

    /// <summary>Threads that score one block of two or more calls (the runner and waiting callers of the block): one per core, at most two.</summary>
    public int ThreadsPerBlock { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>
    /// How long a call that finds a free slot under concurrency waits for company (a lone call never
    /// waits). Without it, callers released together by one block come back to a free slot one at a
    /// time and are scored alone. Zero: take only what is already queued.
    /// </summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(0.5);
}
