namespace Recommender.Training.Mf;

/// <summary>
/// Which blocks run together, and how many there are. With users and items each split into B
/// groups, sub-round s of an epoch runs the B blocks (i, (i + s) mod B), i = 0..B−1: within a
/// round every user group and every item group appears exactly once, so blocks running
/// concurrently never share a user row or an item row; over the B rounds every block runs exactly
/// once. Because the blocks of a round are disjoint, the result does not depend on which thread
/// runs which block or in what order.
/// </summary>
internal static class MfBlockSchedule
{
    /// <summary>Factor bytes of one group's rows that we want to stay in a core's L2 cache while its block runs.</summary>
    private const long CacheBudgetBytes = 512 * 1024;

    /// <summary>Fewest ratings per block on average: below this, barriers and scheduling cost more than cache misses.</summary>
    private const long MinRatingsPerBlock = 4096;

    private const int MaxBlockCount = 256;

    public static int ItemGroup(int userGroup, int round, int blockCount) => (userGroup + round) % blockCount;

    /// <summary>
    /// B for a run: with several threads, 2 per thread is the minimum, so a thread that drew a
    /// small block takes another in the same round; beyond that (and on one thread too), more
    /// groups make each block's rows small enough to stay in cache, which at millions of ratings
    /// is worth 4–5× (random rows from a 30 MB matrix wait on memory), as long as blocks keep
    /// enough ratings to amortize the barrier between rounds.
    /// </summary>
    public static int BlockCountFor(int threads, long ratings, int userCount, int itemCount, int stride)
    {
        var rowBytes = (long)stride * sizeof(float);
        var forCache = (int)Math.Min(MaxBlockCount, ((Math.Max(userCount, itemCount) * rowBytes) + CacheBudgetBytes - 1) / CacheBudgetBytes);
        var bySize = (int)Math.Min(MaxBlockCount, Math.Sqrt(ratings / (double)MinRatingsPerBlock));
        var forCores = threads <= 1 ? 1 : 2 * threads;
        return Math.Max(forCores, Math.Max(1, Math.Min(forCache, bySize)));
    }
}
