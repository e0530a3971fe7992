using Recommender.Data;
using Recommender.Models.Repository;
using Recommender.Training.Neural;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Tests;

/// <summary>The NeuMF ensemble is for small data: past EnsembleMaxRatings one network is trained.</summary>
public sealed class NeuralEnsembleSizeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("recommender-ensemble-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ML_100K_keeps_the_ensemble_and_ML_25M_trains_one_network()
    {
        var defaults = NeuralTrainingOptions.NeuMfDefaults;
        Assert.True(defaults.Ensemble > 1);

        Assert.Same(defaults, defaults.ForData(80_000));
        Assert.Equal(1, defaults.ForData(23_750_000).Ensemble);
        Assert.Equal(defaults with { Ensemble = 1 }, defaults.ForData(23_750_000));
    }

    [Fact]
    public void The_pipeline_trains_and_records_one_network_past_the_bound()
    {
        var data = Path.Combine(_root, "data");
        new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 80, Items = 120, Ratings = 3000, Seed = 2 }).Generate(data);
        var neural = NeuralTrainingOptions.NeuMfDefaults with
        {
            Ensemble = 2, EnsembleMaxRatings = 1000, Epochs = 1, EmbeddingDim = 4, GmfDim = 4, HiddenSizes = [8], SideFeatures = false,
        };
        var request = new TrainingRequest("e", data, SplitSpec.Parse("none"), 1, null, neural);

        var outcome = TrainingPipeline.Run(request, new ModelRepository(Path.Combine(_root, "models"), TimeProvider.System));

        Assert.Equal("1", outcome.Manifest.HyperParameters["neural.ensemble"]);
        Assert.Single(outcome.Model<NeuralTrainedModel>()!.Members);
    }
}
