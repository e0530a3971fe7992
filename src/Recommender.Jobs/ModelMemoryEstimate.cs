using System.Globalization;
using Recommender.Training.Blend;
using Recommender.Training.Neural;

namespace Recommender.Jobs;

/// <summary>
/// What a job's models need in memory while training, from the sizes it asks for: a request whose
/// parts are each within their bounds can still multiply to gigabytes (1 M users × 1 M items ×
/// 1024 factors is 8 GB of MF factors alone). Float32 throughout, on the side of too much:
/// <list type="bullet">
/// <item>MF: (users + items) × (factors + 1) for the factors and biases, twice (the training arrays
/// and the copy the export writes).</item>
/// <item>Bayesian MF: its kept samples, (users + items) × factors each, thinned to the options'
/// MaxModelBytes, twice (the samples and the model averaged from them), plus the chain's
/// double-precision state, (users + items) × (factors + 1) × 8 bytes.</item>
/// <item>Implicit (weighted ALS): (users + items) × factors, twice likewise.</item>
/// <item>Neural weights: the two embedding tables, (users + items) × dim, NeuMF's GMF and bias
/// tables, (users + items) × (gmf + 1), and the MLP (2·dim → hidden… → 1), four times (weights,
/// gradients and Adam's two moments). Side-feature tables are a few dozen rows: left out.</item>
/// <item>Neural batch: batch × (2·dim + Σ hidden + 1) activations, three times (forward, backward,
/// dropout masks).</item>
/// <item>Neural export: the first layer precomputed per row (users + items) × first hidden size
/// floats for every member, twice (each member's tables and the stacked copy the graph holds).
/// At 25 M ratings (224 k rows, h = 64, three members) that is 172 MB a copy.</item>
/// <item>Blend: the autoencoder's dense item × user matrices (four float copies), when it fits its
/// own MaxDenseBytes (over it the blend leaves it out), plus its two users × hidden layers four times.</item>
/// </list>
/// </summary>
public sealed record ModelMemoryEstimate(double MfBytes, double ImplicitBytes, double NeuralWeightBytes, double NeuralBatchBytes)
{
    private const double Float = sizeof(float);

    /// <summary>The blend's autoencoder member.</summary>
    public double AutoRecBytes { get; init; }

    /// <summary>The export's first-layer part tables (see <c>FirstLayerParts</c>).</summary>
    public double NeuralExportBytes { get; init; }

    public double TotalBytes => MfBytes + ImplicitBytes + NeuralWeightBytes + NeuralBatchBytes + NeuralExportBytes + AutoRecBytes;

    /// <summary>The request field that contributes most: the one to lower first.</summary>
    public string LargestField => new[]
    {
        ("mf.factors", MfBytes),
        ("implicit.factors", ImplicitBytes),
        ("neural.embedding_dim", NeuralWeightBytes),
        ("neural.batch_size", NeuralBatchBytes),
        ("neural.hidden_sizes", NeuralExportBytes),
        ("blend.autorec", AutoRecBytes),
    }.MaxBy(p => p.Item2).Item1;

    private static double MfBytesOf(long users, long items, Training.Mf.MfTrainingOptions mf)
    {
        double rows = users + (double)items;
        if (mf.Variant != Training.Mf.MfVariant.Bayesian)
        {
            return rows * (mf.Factors + 1) * Float * 2;
        }

        var thinned = mf.ForData((int)Math.Min(users, int.MaxValue), (int)Math.Min(items, int.MaxValue));
        var samples = Math.Max(1, (thinned.Epochs - thinned.BurnIn) / thinned.SampleEvery);
        return (rows * (mf.Factors + 1) * sizeof(double)) + (2 * rows * mf.Factors * samples * Float);
    }

    public static ModelMemoryEstimate Of(long users, long items, ValidatedJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        // Doubles: the products can overflow a long for requests this estimate exists to refuse.
        double rows = users + (double)items;
        var mfBytes = job.Mf is null ? 0 : MfBytesOf(users, items, job.Mf);
        var implicitBytes = job.Implicit is null ? 0 : rows * job.Implicit.Factors * Float * 2;
        var autoRecBytes = job.Blend?.AutoRec is { } autoRec && autoRec.TooLargeFor(users, items) is null
            ? AutoRecOptions.DenseBytes(users, items) + (2.0 * users * autoRec.Hidden * Float * 4)
            : 0;
        if (job.Neural is not { } neural)
        {
            return new ModelMemoryEstimate(mfBytes, implicitBytes, 0, 0) { AutoRecBytes = autoRecBytes };
        }

        double dim = neural.EmbeddingDim;
        double mlp = 0;
        var input = 2 * dim;
        foreach (var size in neural.HiddenSizes.Append(1))
        {
            mlp += (input + 1) * size;
            input = size;
        }

        var neuMfTables = neural.Architecture == NeuralArchitecture.NeuMf ? neural.GmfDim + 1 : 0;
        // Training holds one network (with Adam's two moments and the gradient) at a time; an
        // ensemble keeps every finished member's exported weights until the export.
        var network = ((rows * (dim + neuMfTables)) + mlp) * Float;
        var weights = (network * 4) + (network * (neural.Ensemble - 1));
        var batch = neural.BatchSize * (2 * dim + neural.HiddenSizes.Sum(h => (double)h) + 1) * Float * 3;
        var export = neural.HiddenSizes.Count == 0 ? 0 : rows * neural.HiddenSizes[0] * neural.Ensemble * Float * 2;
        return new ModelMemoryEstimate(mfBytes, implicitBytes, weights, batch)
        {
            AutoRecBytes = autoRecBytes,
            NeuralExportBytes = export,
        };
    }

    /// <summary>INVALID_ARGUMENT naming the largest contributor and the budget, when over it.</summary>
    public void CheckWithin(long budget, long users, long items)
    {
        if (TotalBytes > budget)
        {
            throw new InvalidJobRequestException(LargestField, string.Create(CultureInfo.InvariantCulture,
                $"{users} users × {items} items need about {Gigabytes(TotalBytes)} of model memory (MF {Gigabytes(MfBytes)}, " +
                $"implicit {Gigabytes(ImplicitBytes)}, neural {Gigabytes(NeuralWeightBytes + NeuralBatchBytes + NeuralExportBytes)}, blend autoencoder {Gigabytes(AutoRecBytes)}), over the budget of " +
                $"{Gigabytes(budget)} (Trainer:MaxModelBytes = {budget}); lower {LargestField} first, or use fewer users and items."));
        }
    }

    private static string Gigabytes(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.###} GB");
}
