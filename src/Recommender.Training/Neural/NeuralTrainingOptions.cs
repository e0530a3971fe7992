namespace Recommender.Training.Neural;

/// <summary>The network the neural kind trains.</summary>
public enum NeuralArchitecture
{
    /// <summary>The seed notebook's network, reproduced exactly: embeddings concatenated through an MLP.</summary>
    Seed = 0,

    /// <summary>NeuMF: the MLP beside a GMF branch, plus mean and user/item biases.</summary>
    NeuMf = 1,
}

/// <summary>
/// Hyper-parameters of the neural model and its training loop. A bare <c>new()</c> (and
/// <see cref="SeedDefaults"/>) is the seed notebook's: embeddings of 20, hidden layers 64 and 32,
/// Adam at 1e-3, batch 256, 10 epochs. <see cref="NeuMfDefaults"/> is the better default of the
/// command line, chosen on the validation part of ML-100K u1.
/// </summary>
public sealed record NeuralTrainingOptions
{
    /// <summary>The notebook's network and training loop.</summary>
    public static NeuralTrainingOptions SeedDefaults { get; } = new();

    /// <summary>
    /// NeuMF with biases and side features; hyper-parameters chosen on the validation part (never
    /// the test split) of ML-100K u1, where it reaches 0.8992 (0.911 without side features, the
    /// notebook's network 0.94): dropout 0.5 (0.3: 0.9024, 0.6: 0.9005) and a light per-row
    /// penalty on embedding + features of 0.02 (0.01: 0.9019, 0.015: 0.8998, 0.03: 0.9005,
    /// 0.05: 0.9078), no weight decay on the dense layers (1e-4: 0.9003), Adam at 2e-3 on batches
    /// of 512 decayed 0.7 per epoch (0.8: 0.9011): as good as batches of 256 at 1e-3 in half the
    /// time, which `train all` has to fit in 20 s on 2 cores; 15 epochs gain nothing over 10.
    /// The default is the average of three such networks (seeds s, s+1, s+2) of 7 epochs at
    /// dropout 0.4, chosen on the validation parts of three seeded carves of u1.base (split seeds
    /// 42, 1, 2; mean validation RMSE, single network 0.8917): 3 networks of 10 epochs 0.8890
    /// (dropout 0.4: 0.8887, but about 13 s more CPU than one network), 2 of 10 0.8900 (dropout
    /// 0.4: 0.8901), 4 of 6 0.8900, 3 of 7 0.8898, at dropout 0.4 0.8891 (every carve better than
    /// 0.5; 0.3: 0.8894), for about 9 s more CPU than one network: averaging removes the
    /// networks' seed noise, which a lower dropout then trades for less bias.
    /// </summary>
    public static NeuralTrainingOptions NeuMfDefaults { get; } = new()
    {
        Architecture = NeuralArchitecture.NeuMf,
        EmbeddingDim = 32,
        GmfDim = 32,
        HiddenSizes = [64, 32],
        Epochs = 7,
        BatchSize = 512,
        LearningRate = 2e-3,
        LearningRateDecay = 0.7,
        Dropout = 0.4,
        EmbeddingRegularization = 0.02,
        SideFeatures = true,
        Ensemble = 3,
    };

    public NeuralArchitecture Architecture { get; init; } = NeuralArchitecture.Seed;

    /// <summary>NeuMF: size of the GMF branch's user and item factors.</summary>
    public int GmfDim { get; init; }

    /// <summary>
    /// NeuMF: L2 penalty on the embedding rows a batch looks up (per rating, as in SGD matrix
    /// factorization); weight decay then applies to the dense layers only.
    /// </summary>
    public double EmbeddingRegularization { get; init; }

    /// <summary>
    /// NeuMF: add the dataset's side information (user age bucket, gender, occupation; item
    /// genres and release-year bucket) as embeddings to the user and item representations, when
    /// the dataset has it. Ignored (trained without) when it has none.
    /// </summary>
    public bool SideFeatures { get; init; }

    /// <summary>
    /// NeuMF: how many networks to train, from seeds <see cref="Seed"/>, <see cref="Seed"/> + 1, ...,
    /// on the same data; the model is their average (one ONNX graph). 1 is a single network.
    /// </summary>
    public int Ensemble { get; init; } = 1;

    /// <summary>
    /// NeuMF: above this many training ratings <see cref="ForData"/> trains one network instead of
    /// <see cref="Ensemble"/>. Averaging networks cuts the variance of small data (ML-100K: −0.003
    /// validation RMSE) at N times the training time; at ML-25M size one NeuMF network is already
    /// 100+ s an epoch on 2 cores, and three would triple `train all`.
    /// </summary>
    public int EnsembleMaxRatings { get; init; } = 2_000_000;

    /// <summary>These options for <paramref name="ratings"/> training ratings: one network past <see cref="EnsembleMaxRatings"/>.</summary>
    public NeuralTrainingOptions ForData(int ratings) =>
        Ensemble > 1 && ratings > EnsembleMaxRatings ? this with { Ensemble = 1 } : this;

    /// <summary>The learning rate is multiplied by this after every epoch; 1 keeps it constant (the notebook).</summary>
    public double LearningRateDecay { get; init; } = 1;

    /// <summary>The early-stopping patience the command line uses when a validation part exists.</summary>
    public const int DefaultPatience = 3;

    /// <summary>Size of the user and of the item embedding.</summary>
    public int EmbeddingDim { get; init; } = 20;

    /// <summary>Output sizes of the hidden Linear + ReLU layers, in order; the last layer (1 output) is implied.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [64, 32];

    public int Epochs { get; init; } = 10;

    public int BatchSize { get; init; } = 256;

    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Dropout probability after each hidden layer; 0 disables it (the notebook has none).</summary>
    public double Dropout { get; init; }

    /// <summary>Adam's L2 weight decay; 0 disables it.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Seeds weight initialization, dropout and the per-epoch shuffle.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Intra-op threads libtorch may use (a process-wide setting). 1 is the right choice on small
    /// machines: two threads on two shared cores gave erratic epoch times. Results are bit-for-bit
    /// reproducible for a given seed with 1 thread.
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Stop after this many epochs without a better validation RMSE and restore the best epoch's
    /// weights; null trains all <see cref="Epochs"/> and keeps the last epoch's weights.
    /// Requires validation data.
    /// </summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>
    /// How the embedding tables are updated: <see cref="EmbeddingUpdates.Auto"/> (the default)
    /// keeps torch's dense Adam on small catalogs, so ML-100K trains exactly as the notebook does,
    /// and switches to lazy Adam on large ones, where a dense step over every row is what an epoch
    /// spends its time on (ML-25M: 162 k users + 62 k items).
    /// </summary>
    public EmbeddingUpdates EmbeddingUpdates { get; init; } = EmbeddingUpdates.Auto;

    /// <summary>
    /// <see cref="EmbeddingUpdates.Auto"/> goes lazy above this many user + item rows. Dense Adam's
    /// step costs several passes over every row, lazy Adam's a pass over the batch's rows: at
    /// ML-25M size (224 k rows) dense managed ~3 k ratings/s (seed) and lazy ~500 k. Lazy is
    /// faster on small catalogs too (ML-100K u1, seed: 0.10 s an epoch against 0.22 s), but there
    /// an epoch takes a second either way, and dense keeps the small MovieLens sets (ML-100K:
    /// 2,625 rows; ML-1M: 9,746) on the notebook's exact training and their published numbers.
    /// </summary>
    public const int LazyEmbeddingRowThreshold = 20_000;

    /// <summary>Whether training tables of <paramref name="userCount"/> x <paramref name="itemCount"/> rows updates them lazily.</summary>
    public bool UsesLazyEmbeddingUpdates(int userCount, int itemCount) => EmbeddingUpdates switch
    {
        EmbeddingUpdates.Lazy => true,
        EmbeddingUpdates.Dense => false,
        _ => (long)userCount + itemCount > LazyEmbeddingRowThreshold,
    };

    /// <summary>Batch size used when scoring validation data (no gradients); does not affect results.</summary>
    public int EvaluationBatchSize { get; init; } = 8192;

    /// <summary>Every problem with these options, as messages; empty when valid.</summary>
    public IReadOnlyList<string> GetErrors()
    {
        var errors = new List<string>();
        if (EmbeddingDim < 1)
        {
            errors.Add($"EmbeddingDim must be at least 1 (was {EmbeddingDim}).");
        }

        if (HiddenSizes is null)
        {
            errors.Add("HiddenSizes must not be null (use an empty list for no hidden layer).");
        }
        else
        {
            for (var i = 0; i < HiddenSizes.Count; i++)
            {
                if (HiddenSizes[i] < 1)
                {
                    errors.Add($"HiddenSizes[{i}] must be at least 1 (was {HiddenSizes[i]}).");
                }
            }
        }

        if (Epochs < 1)
        {
            errors.Add($"Epochs must be at least 1 (was {Epochs}).");
        }

        if (BatchSize < 1)
        {
            errors.Add($"BatchSize must be at least 1 (was {BatchSize}).");
        }

        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
        {
            errors.Add($"LearningRate must be a positive finite number (was {LearningRate}).");
        }

        if (!(Dropout >= 0 && Dropout < 1))
        {
            errors.Add($"Dropout must be in [0, 1) (was {Dropout}).");
        }

        if (!double.IsFinite(WeightDecay) || WeightDecay < 0)
        {
            errors.Add($"WeightDecay must be zero or a positive finite number (was {WeightDecay}).");
        }

        if (Threads < 1)
        {
            errors.Add($"Threads must be at least 1 (was {Threads}).");
        }

        if (EarlyStoppingPatience is < 1)
        {
            errors.Add($"EarlyStoppingPatience must be at least 1 when set (was {EarlyStoppingPatience}).");
        }

        if (!Enum.IsDefined(Architecture))
        {
            errors.Add($"Architecture {(int)Architecture} is not a known architecture.");
        }

        if (GmfDim < 0 || (Architecture == NeuralArchitecture.Seed && GmfDim != 0))
        {
            errors.Add($"GmfDim must be 0 for the seed architecture and not negative for NeuMF (was {GmfDim}).");
        }

        if (SideFeatures && Architecture == NeuralArchitecture.Seed)
        {
            errors.Add("SideFeatures needs the NeuMF architecture (the seed network is the notebook's, without them).");
        }

        if (!double.IsFinite(EmbeddingRegularization) || EmbeddingRegularization < 0)
        {
            errors.Add($"EmbeddingRegularization must be zero or a positive finite number (was {EmbeddingRegularization}).");
        }

        if (Ensemble < 1 || (Architecture == NeuralArchitecture.Seed && Ensemble != 1))
        {
            errors.Add($"Ensemble must be 1 for the seed architecture and at least 1 for NeuMF (was {Ensemble}).");
        }

        if (!(LearningRateDecay > 0 && LearningRateDecay <= 1))
        {
            errors.Add($"LearningRateDecay must be in (0, 1] (was {LearningRateDecay}).");
        }

        if (!Enum.IsDefined(EmbeddingUpdates))
        {
            errors.Add($"EmbeddingUpdates {(int)EmbeddingUpdates} is not a known mode (Auto, Dense or Lazy).");
        }

        if (EvaluationBatchSize < 1)
        {
            errors.Add($"EvaluationBatchSize must be at least 1 (was {EvaluationBatchSize}).");
        }

        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming every invalid option.</summary>
    public void Validate()
    {
        var errors = GetErrors();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid neural training options: " + string.Join(" ", errors));
        }
    }
}
