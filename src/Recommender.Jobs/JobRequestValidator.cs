using Microsoft.Extensions.Options;
using Recommender.Data;
using Recommender.Models.Repository;
using Recommender.Training.Blend;
using Recommender.Training.Implicit;
using Recommender.Training.Mf;
using Recommender.Training.Neural;

namespace Recommender.Jobs;

/// <summary>
/// Checks every field of a request against its meaning and the configured bounds, and fills the
/// defaults (zero = default). Each failure names the field ("mf.factors: 100000 exceeds the limit
/// of 1024") so a client can fix its request. Dataset paths are checked by <see cref="DatasetResolver"/>.
/// </summary>
public sealed class JobRequestValidator(IOptions<JobOptions> options, DatasetResolver datasets)
{
    public const string DefaultModelName = "movielens";
    public const string DefaultSplit = "random:0.2";

    private readonly JobOptions _options = options.Value;

    public ValidatedJob Validate(JobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = string.IsNullOrEmpty(request.ModelName) ? DefaultModelName : request.ModelName;
        if (!ModelNames.IsValid(name))
        {
            throw new InvalidJobRequestException("model_name", $"'{name}' is invalid: use 1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit.");
        }

        SplitSpec split;
        try
        {
            split = SplitSpec.Parse(string.IsNullOrEmpty(request.Split) ? DefaultSplit : request.Split);
        }
        catch (FormatException ex)
        {
            throw new InvalidJobRequestException("split", ex.Message);
        }

        if (request.Mf is null && request.Neural is null && request.Implicit is null)
        {
            throw new InvalidJobRequestException("mf", "nothing to train: set one or more of mf, neural, implicit.");
        }

        if (!float.IsFinite(request.ValidationFraction) || request.ValidationFraction is < 0f or > 0.5f)
        {
            throw new InvalidJobRequestException("validation_fraction", $"{request.ValidationFraction} is not in [0, 0.5].");
        }

        // 0 leaves the choice to the training request: 0.05 when the split holds out a test part.
        double? validation = request.ValidationFraction == 0f ? null : request.ValidationFraction;
        var hasValidation = validation is not null || split.Kind != SplitKind.None;
        if (request.Blend is not null && request.Mf is null && request.Neural is null)
        {
            throw new InvalidJobRequestException("blend", "the blend combines rating models: set mf or neural too.");
        }

        if (request.Blend is not null && !hasValidation)
        {
            throw new InvalidJobRequestException("blend", "the blend is fitted on a validation part: use a split with a test part or set validation_fraction.");
        }

        datasets.Check(request.Dataset);
        var validated = new ValidatedJob(name, split,
            request.Mf is null ? null : Mf(request.Mf),
            request.Neural is null ? null : Neural(request.Neural, hasValidation))
        {
            Implicit = request.Implicit is null ? null : Implicit(request.Implicit),
            Blend = request.Blend is { } blend ? new BlendTrainingOptions { AutoRec = blend.NoAutoRec ? null : new AutoRecOptions() } : null,
            ValidationFraction = validation,
        };
        // Only a synthetic dataset's size is known now; the runner checks the others once loaded.
        if (request.Dataset?.Synthetic is { } synthetic)
        {
            ModelMemoryEstimate.Of(synthetic.Users, synthetic.Items, validated).CheckWithin(_options.MaxModelBytes, synthetic.Users, synthetic.Items);
        }

        return validated;
    }

    private ImplicitTrainingOptions Implicit(ImplicitSpec spec)
    {
        var defaults = new ImplicitTrainingOptions();
        var options = defaults with
        {
            Factors = Bounded("implicit.factors", spec.Factors, _options.MaxFactors, defaults.Factors),
            Epochs = Bounded("implicit.epochs", spec.Epochs, _options.MaxEpochs, defaults.Epochs),
            Regularization = PositiveOrDefault("implicit.regularization", spec.Regularization, defaults.Regularization),
            Alpha = PositiveOrDefault("implicit.alpha", spec.Alpha, defaults.Alpha),
            UnobservedWeight = PositiveOrDefault("implicit.unobserved_weight", spec.UnobservedWeight, defaults.UnobservedWeight),
            RatingThreshold = NonNegative("implicit.rating_threshold", spec.RatingThreshold) is var t && t > 0f ? t : defaults.RatingThreshold,
            Seed = Seed("implicit.seed", spec.Seed),
        };
        Check("implicit", options.Validate);
        return options;
    }

    private MfTrainingOptions Mf(MfSpec spec)
    {
        var seedVariant = spec.Variant == MfVariant.Seed;
        var defaults = spec.Variant switch
        {
            MfVariant.Seed => MfTrainingOptions.SeedDefaults,
            MfVariant.Bayesian => MfTrainingOptions.BayesianDefaults,
            _ => MfTrainingOptions.BiasedDefaults,
        };
        var factors = Bounded("mf.factors", spec.Factors, _options.MaxFactors, defaults.Factors);
        var options = defaults with
        {
            Factors = factors,
            // The notebook's rule ties the initial spread to k (std 1/k); keep it when only k changes.
            InitStd = seedVariant ? 1f / factors : defaults.InitStd,
            Epochs = Bounded("mf.epochs", spec.Epochs, _options.MaxEpochs, defaults.Epochs),
            LearningRate = PositiveOrDefault("mf.learning_rate", spec.LearningRate, defaults.LearningRate),
            Regularization = NonNegative("mf.regularization", spec.Regularization),
            Seed = Seed("mf.seed", spec.Seed),
        };
        if (spec.Regularization == 0f)
        {
            options = options with { Regularization = defaults.Regularization };
        }

        if (spec.Variant == MfVariant.Bayesian && options.Epochs <= options.BurnIn)
        {
            // Fewer sweeps than the default burn-in: still average the second half's samples.
            options = options with { BurnIn = options.Epochs / 2 };
        }

        Check("mf", options.Validate);
        return options;
    }

    private NeuralTrainingOptions Neural(NeuralSpec spec, bool hasValidation)
    {
        var neuMf = spec.Architecture == NeuralArchitecture.NeuMf;
        var defaults = neuMf ? NeuralTrainingOptions.NeuMfDefaults : NeuralTrainingOptions.SeedDefaults;
        if (spec.HiddenSizes.Count > _options.MaxHiddenLayers)
        {
            throw new InvalidJobRequestException("neural.hidden_sizes", $"{spec.HiddenSizes.Count} layers exceed the limit of {_options.MaxHiddenLayers}.");
        }

        var hidden = new int[spec.HiddenSizes.Count];
        for (var i = 0; i < hidden.Length; i++)
        {
            hidden[i] = Bounded($"neural.hidden_sizes[{i}]", spec.HiddenSizes[i], _options.MaxHiddenSize, 0);
            if (hidden[i] == 0)
            {
                throw new InvalidJobRequestException($"neural.hidden_sizes[{i}]", "must be positive.");
            }
        }

        if (spec.Dropout is < 0f or >= 1f || float.IsNaN(spec.Dropout))
        {
            throw new InvalidJobRequestException("neural.dropout", $"{spec.Dropout} is not in [0, 1).");
        }

        if (spec.EarlyStoppingPatience < 0)
        {
            throw new InvalidJobRequestException("neural.early_stopping_patience", $"{spec.EarlyStoppingPatience} is negative.");
        }

        var options = defaults with
        {
            EmbeddingDim = Bounded("neural.embedding_dim", spec.EmbeddingDim, _options.MaxEmbeddingDim, defaults.EmbeddingDim),
            HiddenSizes = hidden.Length == 0 ? defaults.HiddenSizes : hidden,
            Epochs = Bounded("neural.epochs", spec.Epochs, _options.MaxEpochs, defaults.Epochs),
            BatchSize = Bounded("neural.batch_size", spec.BatchSize, _options.MaxBatchSize, defaults.BatchSize),
            // The default stays a double (1e-3 exactly), not the float the contract carries.
            LearningRate = spec.LearningRate == 0f ? defaults.LearningRate : PositiveOrDefault("neural.learning_rate", spec.LearningRate, 0f),
            // NeuMF's default dropout is not 0, so 0 takes it there (as every other zero field).
            Dropout = neuMf && spec.Dropout == 0f ? defaults.Dropout : spec.Dropout,
            WeightDecay = NonNegative("neural.weight_decay", spec.WeightDecay),
            Seed = spec.Seed == 0 ? defaults.Seed : Seed("neural.seed", spec.Seed),
            EarlyStoppingPatience = spec.EarlyStoppingPatience == 0
                ? (neuMf && hasValidation ? NeuralTrainingOptions.DefaultPatience : null)
                : Bounded("neural.early_stopping_patience", spec.EarlyStoppingPatience, _options.MaxEpochs, 0),
            SideFeatures = defaults.SideFeatures && !spec.NoSideFeatures,
            EmbeddingUpdates = spec.EmbeddingUpdates ?? defaults.EmbeddingUpdates,
        };
        Check("neural", options.Validate);
        return options;
    }

    /// <summary>0 takes the default; negative or above the limit is refused.</summary>
    private static int Bounded(string field, int value, int limit, int fallback)
    {
        if (value < 0)
        {
            throw new InvalidJobRequestException(field, $"{value} is negative.");
        }

        if (value > limit)
        {
            throw new InvalidJobRequestException(field, $"{value} exceeds the limit of {limit}.");
        }

        return value == 0 ? fallback : value;
    }

    private static float PositiveOrDefault(string field, float value, float fallback)
    {
        if (!float.IsFinite(value) || value < 0f)
        {
            throw new InvalidJobRequestException(field, $"{value} is not a positive finite number.");
        }

        return value == 0f ? fallback : value;
    }

    private static float NonNegative(string field, float value) =>
        float.IsFinite(value) && value >= 0f ? value : throw new InvalidJobRequestException(field, $"{value} is not a non-negative finite number.");

    private static int Seed(string field, long value) =>
        value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new InvalidJobRequestException(field, $"{value} does not fit in 32 bits.");

    // The training options' own checks catch combinations the bounds above do not.
    private static void Check(string field, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidJobRequestException(field, ex.Message);
        }
    }
}
