using Recommender.Data;
using Recommender.Models.Repository;
using Recommender.Training.Implicit;
using Recommender.Training.Mf;
using Recommender.Training.Neural;
using Recommender.Training.Pipeline;

namespace Recommender.InferenceService.Tests;

/// <summary>A temporary model repository holding real published versions of a small synthetic dataset.</summary>
public sealed class ServedRepository : IDisposable
{
    public const string ModelName = "movielens";

    public ServedRepository()
    {
        Root = Directory.CreateTempSubdirectory("recommender-inference-tests-").FullName;
        DataFolder = Path.Combine(Root, "data");
        RepositoryPath = Path.Combine(Root, "models");
        new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 80, Items = 120, Ratings = 3000, Seed = 5 }).Generate(DataFolder);
        Repository = new ModelRepository(RepositoryPath, TimeProvider.System);
        Dataset = DatasetLoader.Load(DataFolder);
    }

    public string Root { get; }

    public string DataFolder { get; }

    public string RepositoryPath { get; }

    public ModelRepository Repository { get; }

    public Dataset Dataset { get; }

    /// <summary>Trains and publishes a version with both models (a few epochs: fast, but real).</summary>
    public TrainingOutcome Publish(int seed = 1) =>
        TrainingPipeline.Run(new TrainingRequest(ModelName, DataFolder, SplitSpec.Parse("random:0.2"), seed,
                MfTrainingOptions.BiasedDefaults with { Epochs = 5, Factors = 8, Seed = seed },
                new NeuralTrainingOptions { Epochs = 1, EmbeddingDim = 8, HiddenSizes = [16, 8], Seed = seed }),
            Repository);

    /// <summary>Trains and publishes a version with MF and the implicit-feedback model.</summary>
    public TrainingOutcome PublishWithImplicit(int seed = 1) =>
        TrainingPipeline.Run(new TrainingRequest(ModelName, DataFolder, SplitSpec.Parse("random:0.2"), seed,
                MfTrainingOptions.BiasedDefaults with { Epochs = 5, Factors = 8, Seed = seed }, null)
            {
                Implicit = new ImplicitTrainingOptions { Factors = 8, Epochs = 4, Seed = seed },
            },
            Repository);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A server that has not let go of a file yet must not fail the test run.
        }
    }
}
