namespace Recommender.Training.Mf;

/// <summary>
/// Which blocks run together. With users and items each split into B groups, sub-round s of an
/// epoch runs the B blocks (i, (i + s) mod B), i = 0..B−1: within a round every user group and
/// every item group appears exactly once, so blocks running concurrently never share a user row
/// or an item row; over the B rounds every block runs exactly once. Because the blocks of a round
/// are disjoint, the result does not depend on which thread runs which block or in what order.
/// </summary>
internal static class MfBlockSchedule
{
    public static int ItemGroup(int userGroup, int round, int blockCount) => (userGroup + round) % blockCount;

    /// <summary>How many user/item groups a thread count uses: 2 per thread, so a thread that finishes a small block early can take another in the same round.</summary>
    public static int BlockCountFor(int threads) => threads <= 1 ? 1 : 2 * threads;
}
