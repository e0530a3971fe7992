using System.CommandLine;
using Recommender.Data;
using Recommender.Training.Mf;
using Recommender.Training.Neural;
using Recommender.Training.Pipeline;

namespace Recommender.Cli.Commands;

/// <summary>The flags every `train` command shares: data, repository, name, split, seed, metrics file.</summary>
internal sealed class CommonTrainFlags
{
    public Option<string> Data { get; } = new("--data") { Description = "Dataset folder (ml-100k, ml-1m/10m or ml-latest/25m layout).", Required = true };

    public Option<string> Repo { get; } = new("--repo") { Description = "Model repository root (models/<name>/<version>/).", Required = true };

    public Option<string> Name { get; } = new("--name") { Description = "Model name to publish under.", DefaultValueFactory = _ => "movielens" };

    public Option<string> Split { get; } = new("--split") { Description = "none | random:0.2 | u1..u5 | ua | ub | last:K.", DefaultValueFactory = _ => "random:0.2" };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the split and the model initialisation.", DefaultValueFactory = _ => 42 };

    public Option<string?> MetricsJson { get; } = new("--metrics-json") { Description = "Write final metrics and timings to this JSON file." };

    public Option<double?> Validation { get; } = new("--validation")
    {
        Description = "Fraction of the training split carved out (seeded) to choose epochs and blend weights; 0 = none. "
            + "Default 0.05 when the split holds a test part, 0 with --split none.",
    };

    public void AddTo(Command command)
    {
        command.Add(Data);
        command.Add(Repo);
        command.Add(Name);
        command.Add(Split);
        command.Add(Seed);
        command.Add(MetricsJson);
        command.Add(Validation);
    }

    /// <summary>The request without model options (the kinds' flags fill them in, knowing whether a validation part exists).</summary>
    public TrainingRequest Request(ParseResult parse) =>
        new(parse.GetValue(Name)!, parse.GetValue(Data)!, SplitSpec.Parse(parse.GetValue(Split)!), parse.GetValue(Seed), null, null)
        {
            ValidationFraction = parse.GetValue(Validation),
        };
}

/// <summary>Matrix-factorization flags; unset flags take the variant's defaults.</summary>
internal sealed class MfFlags
{
    public Option<string> Variant { get; } = new("--variant") { Description = "seed (the notebook's algorithm) | biased (SGD) | bayesian (Gibbs sampling; the default).", DefaultValueFactory = _ => "bayesian" };

    public Option<int?> BurnIn { get; } = new("--burn-in") { Description = "Bayesian variant: sweeps discarded before samples are averaged." };

    public Option<int?> SampleEvery { get; } = new("--sample-every") { Description = "Bayesian variant: keep every n-th sample after burn-in." };

    public Option<float?> NoisePrecision { get; } = new("--noise-precision") { Description = "Bayesian variant: fixed rating-noise precision 1/σ² (default: sampled)." };

    public Option<int?> Factors { get; } = new("--factors") { Description = "Latent factors k." };

    public Option<int?> Epochs { get; } = new("--epochs") { Description = "MF epochs." };

    public Option<float?> LearningRate { get; } = new("--lr") { Description = "SGD learning rate (first epoch)." };

    public Option<float?> LearningRateDecay { get; } = new("--lr-decay") { Description = "Learning-rate factor per epoch." };

    public Option<float?> Regularization { get; } = new("--reg") { Description = "L2 regularization." };

    public Option<float?> InitStd { get; } = new("--init-std") { Description = "Std of the normal initial factors." };

    public Option<int?> Threads { get; } = new("--threads") { Description = "SGD threads (0 = all cores; 1 = deterministic order)." };

    public Option<int?> Patience { get; } = new("--patience")
    {
        Description = $"Early-stopping patience in epochs on the validation part (0 = off; default {MfTrainingOptions.DefaultPatience} with a validation part, else 0).",
    };

    public MfFlags() => Variant.AcceptOnlyFromAmong("seed", "biased", "bayesian");

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Variant, Factors, Epochs, LearningRate, LearningRateDecay, Regularization, InitStd, Threads, Patience, BurnIn, SampleEvery, NoisePrecision })
        {
            command.Add(option);
        }
    }

    public MfTrainingOptions Options(ParseResult parse, int seed, bool hasValidation)
    {
        var variant = parse.GetValue(Variant);
        var seedVariant = variant == "seed";
        var defaults = variant switch
        {
            "seed" => MfTrainingOptions.SeedDefaults,
            "bayesian" => MfTrainingOptions.BayesianDefaults,
            _ => MfTrainingOptions.BiasedDefaults,
        };
        var factors = parse.GetValue(Factors) ?? defaults.Factors;
        return defaults with
        {
            Factors = factors,
            // The notebook's init rule is std 1/k: keep it tied to k when only --factors changes.
            InitStd = parse.GetValue(InitStd) ?? (seedVariant ? 1f / factors : defaults.InitStd),
            Epochs = parse.GetValue(Epochs) ?? defaults.Epochs,
            LearningRate = parse.GetValue(LearningRate) ?? defaults.LearningRate,
            LearningRateDecay = parse.GetValue(LearningRateDecay) ?? defaults.LearningRateDecay,
            Regularization = parse.GetValue(Regularization) ?? defaults.Regularization,
            Threads = parse.GetValue(Threads) ?? defaults.Threads,
            BurnIn = parse.GetValue(BurnIn) ?? defaults.BurnIn,
            SampleEvery = parse.GetValue(SampleEvery) ?? defaults.SampleEvery,
            NoisePrecision = parse.GetValue(NoisePrecision) ?? defaults.NoisePrecision,
            EarlyStoppingPatience = parse.GetValue(Patience) ?? (hasValidation && !seedVariant ? MfTrainingOptions.DefaultPatience : defaults.EarlyStoppingPatience),
            Seed = seed,
        };
    }
}

/// <summary>
/// Neural-model flags. In `train neural` epochs and learning rate are --epochs/--lr; in
/// `train all` those belong to MF, so the neural ones are --nn-epochs/--nn-lr (accepted by both).
/// </summary>
internal sealed class NeuralFlags
{
    public NeuralFlags(bool standalone)
    {
        Epochs = standalone
            ? new Option<int?>("--epochs", "--nn-epochs") { Description = "Neural epochs." }
            : new Option<int?>("--nn-epochs") { Description = "Neural epochs." };
        LearningRate = standalone
            ? new Option<double?>("--lr", "--nn-lr") { Description = "Adam learning rate." }
            : new Option<double?>("--nn-lr") { Description = "Adam learning rate." };
        Patience = standalone
            ? new Option<int?>("--patience", "--nn-patience") { Description = "Early-stopping patience (epochs)." }
            : new Option<int?>("--nn-patience") { Description = "Neural early-stopping patience (epochs)." };
    }

    public Option<string> Architecture { get; } = new("--arch")
    {
        Description = "seed (the notebook's network, exactly) | neumf (MLP + GMF branch + biases; tuned defaults).",
        DefaultValueFactory = _ => "neumf",
    };

    public Option<int?> GmfDim { get; } = new("--gmf-dim") { Description = "NeuMF: GMF branch size." };

    public Option<double?> EmbeddingRegularization { get; } = new("--emb-reg") { Description = "NeuMF: L2 penalty on the embedding rows of each batch." };

    public Option<bool> NoSideFeatures { get; } = new("--no-side-features")
    {
        Description = "NeuMF: train without the dataset's user (age, gender, occupation) and item (genres, year) features.",
    };

    public Option<double?> LearningRateDecay { get; } = new("--nn-lr-decay") { Description = "Neural learning-rate factor per epoch." };

    public Option<int?> Ensemble { get; } = new("--nn-ensemble") { Description = "NeuMF: networks trained from successive seeds and averaged into one graph." };

    public Option<int?> EmbeddingDim { get; } = new("--embedding-dim") { Description = "User and item embedding size." };

    public Option<string?> Hidden { get; } = new("--hidden") { Description = "Hidden layer sizes, e.g. 64,32." };

    public Option<int?> Epochs { get; }

    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "Minibatch size." };

    public Option<double?> LearningRate { get; }

    public Option<double?> Dropout { get; } = new("--dropout") { Description = "Dropout after each hidden layer." };

    public Option<double?> WeightDecay { get; } = new("--weight-decay") { Description = "Adam weight decay." };

    public Option<int?> Patience { get; }

    public Option<string> EmbeddingUpdates { get; } = new("--embedding-updates")
    {
        Description = "auto (dense on small catalogs, lazy above 20,000 user + item rows) | dense (torch's Adam over whole tables, the notebook's) | lazy (Adam on the rows each batch looks up).",
        DefaultValueFactory = _ => "auto",
    };

    public Option<int?> TorchThreads { get; } = new("--torch-threads") { Description = "libtorch threads (1 is right on 2 cores)." };

    public void AddTo(Command command)
    {
        Architecture.AcceptOnlyFromAmong("seed", "neumf");
        EmbeddingUpdates.AcceptOnlyFromAmong("auto", "dense", "lazy");
        foreach (var option in new Option[] { Architecture, GmfDim, NoSideFeatures, EmbeddingRegularization, LearningRateDecay, Ensemble, EmbeddingDim, Hidden, Epochs, BatchSize, LearningRate, Dropout, WeightDecay, Patience, TorchThreads, EmbeddingUpdates })
        {
            command.Add(option);
        }
    }

    public NeuralTrainingOptions Options(ParseResult parse, int seed, bool hasValidation)
    {
        var defaults = parse.GetValue(Architecture) == "seed" ? NeuralTrainingOptions.SeedDefaults : NeuralTrainingOptions.NeuMfDefaults;
        var hidden = parse.GetValue(Hidden);
        return defaults with
        {
            GmfDim = parse.GetValue(GmfDim) ?? defaults.GmfDim,
            EmbeddingRegularization = parse.GetValue(EmbeddingRegularization) ?? defaults.EmbeddingRegularization,
            SideFeatures = defaults.SideFeatures && !parse.GetValue(NoSideFeatures),
            LearningRateDecay = parse.GetValue(LearningRateDecay) ?? defaults.LearningRateDecay,
            Ensemble = parse.GetValue(Ensemble) ?? defaults.Ensemble,
            EmbeddingDim = parse.GetValue(EmbeddingDim) ?? defaults.EmbeddingDim,
            HiddenSizes = hidden is null ? defaults.HiddenSizes : ParseSizes(hidden),
            Epochs = parse.GetValue(Epochs) ?? defaults.Epochs,
            BatchSize = parse.GetValue(BatchSize) ?? defaults.BatchSize,
            LearningRate = parse.GetValue(LearningRate) ?? defaults.LearningRate,
            Dropout = parse.GetValue(Dropout) ?? defaults.Dropout,
            WeightDecay = parse.GetValue(WeightDecay) ?? defaults.WeightDecay,
            EarlyStoppingPatience = parse.GetValue(Patience) is { } patience
                ? (patience == 0 ? null : patience)
                : (hasValidation ? NeuralTrainingOptions.DefaultPatience : defaults.EarlyStoppingPatience),
            Threads = parse.GetValue(TorchThreads) ?? defaults.Threads,
            EmbeddingUpdates = parse.GetValue(EmbeddingUpdates) switch
            {
                "dense" => Training.Neural.EmbeddingUpdates.Dense,
                "lazy" => Training.Neural.EmbeddingUpdates.Lazy,
                _ => Training.Neural.EmbeddingUpdates.Auto,
            },
            Seed = seed,
        };
    }

    private static int[] ParseSizes(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
            int.TryParse(part, System.Globalization.CultureInfo.InvariantCulture, out var size) && size > 0
                ? size
                : throw new ArgumentException($"--hidden: '{part}' is not a positive layer size (expected e.g. 64,32)."))];
}
