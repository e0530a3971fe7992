using Recommender.Training.Mf;
using Recommender.Training.Neural;

namespace Recommender.Jobs;

/// <summary>
/// What a client asked for, as it asked (zero means "the trainer's default"). Kept verbatim in the
/// job record so GetTrainingJob can show it; <see cref="JobRequestValidator"/> turns it into
/// bounded training options.
/// </summary>
public sealed record JobRequest(string ModelName, DatasetReference Dataset, string Split, MfSpec? Mf, NeuralSpec? Neural)
{
    /// <summary>The implicit-feedback model's hyper-parameters, or null to not train one.</summary>
    public ImplicitSpec? Implicit { get; init; }

    /// <summary>Fit the blend of the rating models on the validation part, or null to not fit one.</summary>
    public BlendSpec? Blend { get; init; }

    /// <summary>The validation part of the training split; 0 takes the trainer's default (0.05 with a test split).</summary>
    public float ValidationFraction { get; init; }
}

/// <summary>The blend's options.</summary>
public sealed record BlendSpec(bool NoAutoRec);

/// <summary>Where the ratings come from: exactly one of the three is set.</summary>
public sealed record DatasetReference(string? Folder, string? MovieLens, SyntheticSpec? Synthetic);

public sealed record SyntheticSpec(int Users, int Items, long Ratings, long Seed);

/// <summary>MF hyper-parameters; null variant is the biased one.</summary>
public sealed record MfSpec(MfVariant? Variant, int Factors, int Epochs, float LearningRate, float Regularization, long Seed);

public sealed record NeuralSpec(
    int EmbeddingDim,
    IReadOnlyList<int> HiddenSizes,
    int Epochs,
    int BatchSize,
    float LearningRate,
    float Dropout,
    float WeightDecay,
    long Seed,
    int EarlyStoppingPatience)
{
    /// <summary>Null or <see cref="NeuralArchitecture.Seed"/>: the notebook's network; NeuMF takes its tuned defaults for zero fields.</summary>
    public NeuralArchitecture? Architecture { get; init; }

    /// <summary>NeuMF: train without the dataset's side features.</summary>
    public bool NoSideFeatures { get; init; }

    /// <summary>How the embedding tables are updated; null is <see cref="Training.Neural.EmbeddingUpdates.Auto"/>.</summary>
    public EmbeddingUpdates? EmbeddingUpdates { get; init; }
}

/// <summary>Weighted-ALS hyper-parameters; zero means the trainer's default (rating threshold 0: every rating).</summary>
public sealed record ImplicitSpec(int Factors, int Epochs, float Regularization, float Alpha, float UnobservedWeight, float RatingThreshold, long Seed);
