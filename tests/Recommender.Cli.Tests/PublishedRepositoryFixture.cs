using Recommender.Data;
using Recommender.Models.Repository;
using Recommender.Training.Mf;
using Recommender.Training.Neural;
using Recommender.Training.Pipeline;

namespace Recommender.Cli.Tests;

/// <summary>A temporary model repository with one real published version (both models) of a small synthetic dataset.</summary>
public sealed class PublishedRepositoryFixture : IDisposable
{
    public const string ModelName = "movielens";

    public PublishedRepositoryFixture()
    {
        Root = Directory.CreateTempSubdirectory("recommender-bench-tests-").FullName;
        var data = Path.Combine(Root, "data");
        RepositoryPath = Path.Combine(Root, "models");
        new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 60, Items = 90, Ratings = 2000, Seed = 3 }).Generate(data);
        var outcome = TrainingPipeline.Run(new TrainingRequest(ModelName, data, SplitSpec.Parse("random:0.2"), 1,
                MfTrainingOptions.BiasedDefaults with { Epochs = 3, Factors = 8, Seed = 1 },
                new NeuralTrainingOptions { Epochs = 1, EmbeddingDim = 8, HiddenSizes = [16, 8], Seed = 1 }),
            new ModelRepository(RepositoryPath, TimeProvider.System));
        Version = outcome.Manifest.Version;
    }

    public string Root { get; }

    public string RepositoryPath { get; }

    public long Version { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A server that has not let go of a file yet must not fail the run.
        }
    }
}
