using System.Globalization;

namespace Recommender.Jobs;

/// <summary>
/// What a job's models need in memory while training, from the sizes it asks for: a request whose
/// parts are each within their bounds can still multiply to gigabytes (1 M users × 1 M items ×
/// 1024 factors is 8 GB of MF factors alone). Float32 throughout, on the side of too much:
/// <list type="bullet">
/// <item>MF: (users + items) × (factors + 1) for the factors and biases, twice (the training arrays
/// and the copy the export writes).</item>
/// <item>Implicit (weighted ALS): (users + items) × factors, twice likewise.</item>
/// <item>Neural weights: the two embedding tables, (users + items) × dim, and the MLP
/// (2·dim → hidden… → 1), four times (weights, gradients and Adam's two moments).</item>
/// <item>Neural batch: batch × (2·dim + Σ hidden + 1) activations, three times (forward, backward,
/// dropout masks).</item>
/// </list>
/// </summary>
public sealed record ModelMemoryEstimate(double MfBytes, double ImplicitBytes, double NeuralWeightBytes, double NeuralBatchBytes)
{
    private const double Float = sizeof(float);

    public double TotalBytes => MfBytes + ImplicitBytes + NeuralWeightBytes + NeuralBatchBytes;

    /// <summary>The request field that contributes most: the one to lower first.</summary>
    public string LargestField => new[]
    {
        ("mf.factors", MfBytes),
        ("implicit.factors", ImplicitBytes),
        ("neural.embedding_dim", NeuralWeightBytes),
        ("neural.batch_size", NeuralBatchBytes),
    }.MaxBy(p => p.Item2).Item1;

    public static ModelMemoryEstimate Of(long users, long items, ValidatedJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        // Doubles: the products can overflow a long for requests this estimate exists to refuse.
        double rows = users + (double)items;
        var mfBytes = job.Mf is null ? 0 : rows * (job.Mf.Factors + 1) * Float * 2;
        var implicitBytes = job.Implicit is null ? 0 : rows * job.Implicit.Factors * Float * 2;
        if (job.Neural is not { } neural)
        {
            return new ModelMemoryEstimate(mfBytes, implicitBytes, 0, 0);
        }

        double dim = neural.EmbeddingDim;
        double mlp = 0;
        var input = 2 * dim;
        foreach (var size in neural.HiddenSizes.Append(1))
        {
            mlp += (input + 1) * size;
            input = size;
        }

        var weights = (rows * dim + mlp) * Float * 4;
        var batch = neural.BatchSize * (2 * dim + neural.HiddenSizes.Sum(h => (double)h) + 1) * Float * 3;
        return new ModelMemoryEstimate(mfBytes, implicitBytes, weights, batch);
    }

    /// <summary>INVALID_ARGUMENT naming the largest contributor and the budget, when over it.</summary>
    public void CheckWithin(long budget, long users, long items)
    {
        if (TotalBytes > budget)
        {
            throw new InvalidJobRequestException(LargestField, string.Create(CultureInfo.InvariantCulture,
                $"{users} users × {items} items need about {Gigabytes(TotalBytes)} of model memory (MF {Gigabytes(MfBytes)}, " +
                $"implicit {Gigabytes(ImplicitBytes)}, neural {Gigabytes(NeuralWeightBytes + NeuralBatchBytes)}), over the budget of " +
                $"{Gigabytes(budget)} (Trainer:MaxModelBytes = {budget}); lower {LargestField} first, or use fewer users and items."));
        }
    }

    private static string Gigabytes(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.###} GB");
}
