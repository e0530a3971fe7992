using Recommender.Models.Mf;

namespace Recommender.Training.Mf;

/// <summary>The trained model and how training went.</summary>
public sealed class MfTrainingResult
{
    internal MfTrainingResult(MfModel model, IReadOnlyList<MfEpochReport> epochs, int bestEpoch, bool stoppedEarly, TimeSpan elapsed, long updates, int threads)
    {
        Model = model;
        Epochs = epochs;
        BestEpoch = bestEpoch;
        StoppedEarly = stoppedEarly;
        Elapsed = elapsed;
        Updates = updates;
        Threads = threads;
    }

    public MfModel Model { get; }

    /// <summary>One report per epoch that ran, in order.</summary>
    public IReadOnlyList<MfEpochReport> Epochs { get; }

    /// <summary>
    /// The 1-based epoch whose parameters <see cref="Model"/> holds: the epoch with the lowest
    /// validation RMSE when early stopping is on, otherwise the last epoch.
    /// </summary>
    public int BestEpoch { get; }

    /// <summary>True when training stopped before the configured epoch count because validation stopped improving.</summary>
    public bool StoppedEarly { get; }

    /// <summary>Wall time of the whole call: set-up, SGD, evaluation.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Rating updates performed: training ratings x epochs run.</summary>
    public long Updates { get; }

    /// <summary>SGD worker threads actually used.</summary>
    public int Threads { get; }
}
