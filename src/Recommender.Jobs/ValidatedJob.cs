using Recommender.Data;
using Recommender.Training.Implicit;
using Recommender.Training.Mf;
using Recommender.Training.Neural;

namespace Recommender.Jobs;

/// <summary>A request after validation: resolved training options, ready to run once the dataset is in place.</summary>
public sealed record ValidatedJob(string ModelName, SplitSpec Split, MfTrainingOptions? Mf, NeuralTrainingOptions? Neural)
{
    public ImplicitTrainingOptions? Implicit { get; init; }
}
