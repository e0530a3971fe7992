using Recommender.Data;
using Recommender.Training.Blend;
using Recommender.Training.Implicit;
using Recommender.Training.Mf;
using Recommender.Training.Neural;

namespace Recommender.Jobs;

/// <summary>A request after validation: resolved training options, ready to run once the dataset is in place.</summary>
public sealed record ValidatedJob(string ModelName, SplitSpec Split, MfTrainingOptions? Mf, NeuralTrainingOptions? Neural)
{
    public ImplicitTrainingOptions? Implicit { get; init; }

    /// <summary>The blend's options, or null for no blend.</summary>
    public BlendTrainingOptions? Blend { get; init; }

    /// <summary>The validation fraction to carve, or null for the training request's default.</summary>
    public double? ValidationFraction { get; init; }
}
