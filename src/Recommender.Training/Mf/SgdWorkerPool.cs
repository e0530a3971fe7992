namespace Recommender.Training.Mf;

/// <summary>
/// A fixed team of threads for one training run: the calling thread is worker 0 and W − 1
/// dedicated threads are the rest. <see cref="Run"/> hands all of them the same job and returns
/// when every one has finished; inside a job, <see cref="Sync"/> is a barrier between sub-rounds.
/// Dedicated threads and a reusable <see cref="SpinningBarrier"/> mean no task or closure is
/// allocated per epoch or per round, and the threads stay warm between rounds.
/// Jobs must not throw past a <see cref="Sync"/> call (the others would wait forever): the pool
/// records the first exception a job throws and rethrows it from <see cref="Run"/>.
/// </summary>
internal sealed class SgdWorkerPool : IDisposable
{
    private readonly SpinningBarrier? barrier;
    private readonly Thread[] threads;
    private Action<int>? job;
    private Exception? failure;
    private volatile bool disposed;

    public SgdWorkerPool(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        Workers = workers;
        barrier = workers > 1 ? new SpinningBarrier(workers) : null;
        threads = new Thread[workers - 1];
        for (var w = 1; w < workers; w++)
        {
            var worker = w;
            threads[w - 1] = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"mf-sgd-{worker}" };
            threads[w - 1].Start();
        }
    }

    public int Workers { get; }

    /// <summary>Runs <paramref name="work"/>(worker) on every worker and waits for all of them.</summary>
    public void Run(Action<int> work)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        job = work;
        failure = null;
        barrier?.SignalAndWait(); // start
        Execute(0);
        barrier?.SignalAndWait(); // finish: every worker's writes are visible after this
        job = null;
        if (failure is { } error)
        {
            throw new AggregateException("An SGD worker failed.", error);
        }
    }

    /// <summary>Barrier between the sub-rounds of a job; every worker must call it the same number of times.</summary>
    public void Sync() => barrier?.SignalAndWait();

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        barrier?.SignalAndWait(); // releases the workers waiting to start; they see disposed and exit
        foreach (var thread in threads)
        {
            thread.Join();
        }

    }

    private void Loop(int worker)
    {
        while (true)
        {
            barrier!.SignalAndWait();
            if (disposed)
            {
                return;
            }

            Execute(worker);
            barrier.SignalAndWait();
        }
    }

    private void Execute(int worker)
    {
        try
        {
            job!(worker);
        }
#pragma warning disable CA1031 // Recorded and rethrown by Run on the calling thread.
        catch (Exception error)
#pragma warning restore CA1031
        {
            Interlocked.CompareExchange(ref failure, error, null);
        }
    }
}
