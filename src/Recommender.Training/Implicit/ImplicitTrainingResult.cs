using Recommender.Models.Implicit;

namespace Recommender.Training.Implicit;

/// <summary>The trained implicit model and how training went.</summary>
public sealed class ImplicitTrainingResult
{
    internal ImplicitTrainingResult(ImplicitModel model, IReadOnlyList<ImplicitEpochReport> epochs, TimeSpan elapsed, int interactions, int threads)
    {
        Model = model;
        Epochs = epochs;
        Elapsed = elapsed;
        Interactions = interactions;
        Threads = threads;
    }

    public ImplicitModel Model { get; }

    /// <summary>One report per epoch, in order.</summary>
    public IReadOnlyList<ImplicitEpochReport> Epochs { get; }

    /// <summary>Wall time of the whole call: set-up, solves, loss and validation ranking.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Training ratings that counted as interactions (all of them without a rating threshold).</summary>
    public int Interactions { get; }

    /// <summary>Worker threads used.</summary>
    public int Threads { get; }
}
