namespace Recommender.Training.Mf;

/// <summary>
/// Train MSE and validation RMSE/MAE after each epoch, spread over the worker pool: the ratings
/// are cut into fixed chunks (4096 entries of a list, or the blocks of a grid) whose partial sums
/// are added in chunk order, so the numbers are the same whatever the thread count, and
/// evaluating does not idle all cores but one.
/// </summary>
internal sealed class EpochEvaluator
{
    private const int ChunkSize = 4096;

    private readonly MfParameters parameters;
    private readonly SgdWorkerPool pool;
    private readonly float minRating;
    private readonly float maxRating;
    private readonly Action<int> job;
    private RatingEntry[]? ratings;
    private MfBlockGrid? grid;
    private int chunks;
    private double[] squared = [];
    private double[] absolute = [];
    private int cursor;

    public EpochEvaluator(MfParameters parameters, SgdWorkerPool pool, float minRating, float maxRating)
    {
        this.parameters = parameters;
        this.pool = pool;
        this.minRating = minRating;
        this.maxRating = maxRating;
        job = EvaluateOnWorker;
    }

    public (double Mse, double Mae) Evaluate(RatingEntry[] set)
    {
        ratings = set;
        try
        {
            return Run((set.Length + ChunkSize - 1) / ChunkSize, set.Length);
        }
        finally
        {
            ratings = null;
        }
    }

    /// <summary>Over every rating of <paramref name="blocks"/>, one block a chunk.</summary>
    public (double Mse, double Mae) Evaluate(MfBlockGrid blocks)
    {
        grid = blocks;
        try
        {
            return Run(blocks.BlockCount * blocks.BlockCount, blocks.Entries.Length);
        }
        finally
        {
            grid = null;
        }
    }

    private (double Mse, double Mae) Run(int chunkCount, int count)
    {
        if (squared.Length < chunkCount)
        {
            squared = new double[chunkCount];
            absolute = new double[chunkCount];
        }

        chunks = chunkCount;
        cursor = 0;
        if (pool.Workers == 1 || chunkCount == 1)
        {
            EvaluateOnWorker(0);
        }
        else
        {
            pool.Run(job);
        }

        double sse = 0;
        double sae = 0;
        for (var c = 0; c < chunkCount; c++)
        {
            sse += squared[c];
            sae += absolute[c];
        }

        return (sse / count, sae / count);
    }

    private void EvaluateOnWorker(int worker)
    {
        int chunk;
        while ((chunk = Interlocked.Increment(ref cursor) - 1) < chunks)
        {
            var (sse, sae) = grid is { } blocks ? SumBlock(blocks, chunk) : SumChunk(ratings!, chunk);
            squared[chunk] = sse;
            absolute[chunk] = sae;
        }
    }

    private (double, double) SumChunk(RatingEntry[] set, int chunk)
    {
        var start = chunk * ChunkSize;
        return PredictionErrors.Sum(parameters, set.AsSpan(start, Math.Min(ChunkSize, set.Length - start)), 0, 0, minRating, maxRating);
    }

    private (double, double) SumBlock(MfBlockGrid blocks, int block)
    {
        var userGroup = block / blocks.BlockCount;
        var itemGroup = block % blocks.BlockCount;
        var (start, count) = blocks.Block(userGroup, itemGroup);
        return PredictionErrors.Sum(
            parameters,
            blocks.Entries.AsSpan(start, count),
            blocks.UserGroupFirstRow(userGroup),
            blocks.ItemGroupFirstRow(itemGroup),
            minRating,
            maxRating);
    }
}
