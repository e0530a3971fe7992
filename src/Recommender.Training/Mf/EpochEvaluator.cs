namespace Recommender.Training.Mf;

/// <summary>
/// Train MSE and validation RMSE/MAE after each epoch, spread over the worker pool: the ratings
/// are cut into fixed chunks whose partial sums are added in chunk order, so the numbers are the
/// same whatever the thread count, and evaluating does not idle all cores but one.
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
        var chunks = (set.Length + ChunkSize - 1) / ChunkSize;
        if (squared.Length < chunks)
        {
            squared = new double[chunks];
            absolute = new double[chunks];
        }

        ratings = set;
        cursor = 0;
        if (pool.Workers == 1 || chunks == 1)
        {
            EvaluateOnWorker(0);
        }
        else
        {
            pool.Run(job);
        }

        ratings = null;
        double sse = 0;
        double sae = 0;
        for (var c = 0; c < chunks; c++)
        {
            sse += squared[c];
            sae += absolute[c];
        }

        return (sse / set.Length, sae / set.Length);
    }

    private void EvaluateOnWorker(int worker)
    {
        var set = ratings!;
        var chunks = (set.Length + ChunkSize - 1) / ChunkSize;
        int chunk;
        while ((chunk = Interlocked.Increment(ref cursor) - 1) < chunks)
        {
            var start = chunk * ChunkSize;
            var (sse, sae) = PredictionErrors.Sum(parameters, set.AsSpan(start, Math.Min(ChunkSize, set.Length - start)), minRating, maxRating);
            squared[chunk] = sse;
            absolute[chunk] = sae;
        }
    }
}
