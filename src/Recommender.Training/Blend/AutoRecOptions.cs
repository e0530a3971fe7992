using System.Globalization;

namespace Recommender.Training.Blend;

/// <summary>
/// The item-based autoencoder member of a blend (I-AutoRec, Sedhain et al. 2015): each item's
/// vector of user ratings is encoded to <see cref="Hidden"/> sigmoid units and decoded back to a
/// rating for every user. Trained with Adam on the observed entries only.
/// </summary>
public sealed record AutoRecOptions
{
    public int Hidden { get; init; } = 250;

    public int Epochs { get; init; } = 70;

    /// <summary>Items per Adam step.</summary>
    public int BatchSize { get; init; } = 256;

    public double LearningRate { get; init; } = 2e-3;

    /// <summary>The learning rate is multiplied by this after every epoch.</summary>
    public double LearningRateDecay { get; init; } = 1;

    /// <summary>λ of AutoRec's objective Σ‖(r − ĥ(r)) ⊙ m‖² + λ/2 (‖W‖² + ‖V‖²).</summary>
    public double Regularization { get; init; } = 100;

    /// <summary>Stop after this many epochs without a better validation RMSE (keeping the best epoch); 0: run every epoch.</summary>
    public int EarlyStoppingPatience { get; init; } = 5;

    public int Seed { get; init; } = 42;

    /// <summary>libtorch intra-op threads (process-wide; 1 is right on small machines).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// The most memory the dense item × user matrices may take (ratings and mask, each also copied
    /// into a tensor). I-AutoRec trains on them densely, which pays on MovieLens-100K-sized data
    /// (25 MB) and cannot run on a large catalog (62 k × 162 k users is 160 GB): over this, the
    /// blend leaves the autoencoder out and says so.
    /// </summary>
    public long MaxDenseBytes { get; init; } = 2L << 30;

    /// <summary>Bytes the dense matrices of <paramref name="users"/> × <paramref name="items"/> take: four float copies.</summary>
    public static double DenseBytes(long users, long items) => (double)users * items * sizeof(float) * 4;

    /// <summary>Why the autoencoder can't train on this many users and items, or null when it can.</summary>
    public string? TooLargeFor(long users, long items) => DenseBytes(users, items) <= MaxDenseBytes
        ? null
        : string.Create(CultureInfo.InvariantCulture,
            $"left out: {users} users × {items} items need {DenseBytes(users, items) / 1e9:0.###} GB of dense matrices, over MaxDenseBytes {MaxDenseBytes}");

    public void Validate()
    {
        if (Hidden < 1 || Epochs < 1 || BatchSize < 1 || Threads < 1 || EarlyStoppingPatience < 0 || MaxDenseBytes < 0)
        {
            throw new ArgumentException($"AutoRec options need Hidden, Epochs, BatchSize and Threads of at least 1 and a patience of at least 0 (got {this}).");
        }

        if (!double.IsFinite(LearningRate) || LearningRate <= 0 || !double.IsFinite(Regularization) || Regularization < 0
            || !(LearningRateDecay > 0 && LearningRateDecay <= 1))
        {
            throw new ArgumentException($"AutoRec options need a positive learning rate, a decay in (0, 1] and a non-negative regularization (got {LearningRate}, {LearningRateDecay}, {Regularization}).");
        }
    }
}
