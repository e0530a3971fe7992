namespace Recommender.Training.Mf;

/// <summary>
/// One epoch of the biased variant over an <see cref="MfBlockGrid"/>, on a <see cref="SgdWorkerPool"/>:
/// B sub-rounds separated by barriers; in round s the workers take the blocks (i, (i+s) mod B)
/// from a shared counter, so a worker that drew a small block moves on to another instead of
/// idling. Cancellation is checked before every block; a cancelled worker skips its remaining
/// blocks but still meets every barrier, so no thread is left waiting.
/// </summary>
internal sealed unsafe class BlockedSgd
{
    private readonly MfParameters parameters;
    private readonly MfBlockGrid grid;
    private readonly SgdWorkerPool pool;
    private readonly int[] roundCursors;
    private readonly Action<int> epochJob;
    private float learningRate;
    private float regularization;
    private CancellationToken cancellation;

    public BlockedSgd(MfParameters parameters, MfBlockGrid grid, SgdWorkerPool pool)
    {
        if (parameters.UserBias is null || parameters.ItemBias is null)
        {
            throw new ArgumentException("The blocked kernel trains the biased variant.", nameof(parameters));
        }

        this.parameters = parameters;
        this.grid = grid;
        this.pool = pool;
        roundCursors = new int[grid.BlockCount];
        epochJob = RunEpochOnWorker;
    }

    public void RunEpoch(float rate, float penalty, CancellationToken cancellationToken)
    {
        learningRate = rate;
        regularization = penalty;
        cancellation = cancellationToken;
        Array.Clear(roundCursors);
        pool.Run(epochJob);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void RunEpochOnWorker(int worker)
    {
        var blocks = grid.BlockCount;
        for (var round = 0; round < blocks; round++)
        {
            int userGroup;
            while ((userGroup = Interlocked.Increment(ref roundCursors[round]) - 1) < blocks)
            {
                if (!cancellation.IsCancellationRequested)
                {
                    RunBlock(userGroup, MfBlockSchedule.ItemGroup(userGroup, round, blocks));
                }
            }

            if (round < blocks - 1)
            {
                pool.Sync();
            }
        }
    }

    private void RunBlock(int userGroup, int itemGroup)
    {
        var (start, count) = grid.Block(userGroup, itemGroup);
        if (count == 0)
        {
            return;
        }

        // The block's entries hold rows as offsets from its groups' first rows.
        var firstUser = grid.UserGroupFirstRow(userGroup);
        var firstItem = grid.ItemGroupFirstRow(itemGroup);
        var stride = parameters.Stride;
        fixed (GridEntry* entries = &grid.Entries[start])
        fixed (float* userFactors = parameters.UserFactors)
        fixed (float* itemFactors = parameters.ItemFactors)
        fixed (float* userBias = parameters.UserBias)
        fixed (float* itemBias = parameters.ItemBias)
        {
            BiasedSgdKernel.Run(
                entries,
                count,
                userFactors + ((nint)firstUser * stride),
                itemFactors + ((nint)firstItem * stride),
                userBias + firstUser,
                itemBias + firstItem,
                stride,
                parameters.GlobalMean,
                learningRate,
                regularization);
        }
    }
}
