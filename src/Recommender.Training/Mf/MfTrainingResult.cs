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

    /// <summary>
    /// Bayesian variant: how the posterior mean was exported: "samples" (the kept samples side by
    /// side), "samples-rank-r" (their averaged scores reduced to rank r by a truncated SVD, where
    /// that keeps the validation RMSE), or "factor-mean" (each row's factors averaged over every
    /// sweep after burn-in), which <see cref="Bayesian.BayesianMfTrainer"/> chooses on validation
    /// when the samples are thinned.
    /// </summary>
    public string? PosteriorExport { get; init; }

    /// <summary>Validation RMSE of the exported model where it differs from the epoch reports' (the factor mean).</summary>
    public double? ExportedValidationRmse { get; init; }

    /// <summary>Validation RMSE of the candidate not exported, when there were two.</summary>
    public double? OtherCandidateValidationRmse { get; init; }

    /// <summary>Bayesian variant: the columns of the kept samples side by side (samples × k), before any rank reduction.</summary>
    public int? SamplesFactors { get; init; }

    /// <summary>Bayesian variant: the validation RMSE of the samples side by side, before any rank reduction.</summary>
    public double? SamplesValidationRmse { get; init; }
}
