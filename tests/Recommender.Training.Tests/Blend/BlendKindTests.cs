using Recommender.Data;
using Recommender.Models.Repository;
using Recommender.Training.Blend;
using Recommender.Training.Mf;
using Recommender.Training.Neural;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Tests.Blend;

/// <summary>The blend trained as a kind after MF and the neural model, on a synthetic dataset.</summary>
public sealed class BlendKindTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("recommender-blend-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private TrainingOutcome Train(BlendTrainingOptions blend, double? validation = null)
    {
        var data = Path.Combine(_root, "data");
        if (!Directory.Exists(data))
        {
            new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 120, Items = 150, Ratings = 9000, Seed = 3 }).Generate(data);
        }

        return TrainingPipeline.Run(
            new TrainingRequest("blend", data, SplitSpec.Parse("random:0.2"), 2,
                MfTrainingOptions.BayesianDefaults with { Epochs = 20, BurnIn = 5, Factors = 4 },
                NeuralTrainingOptions.NeuMfDefaults with { Epochs = 2, EmbeddingDim = 6, GmfDim = 4, HiddenSizes = [8] })
            {
                Blend = blend,
                ValidationFraction = validation,
            },
            new ModelRepository(Path.Combine(_root, "models"), TimeProvider.System));
    }

    [Fact]
    public void The_blend_is_fitted_on_validation_and_is_no_worse_there_than_its_best_member()
    {
        var outcome = Train(new BlendTrainingOptions { AutoRec = new AutoRecOptions { Hidden = 16, Epochs = 5, BatchSize = 32 } });

        var blend = outcome.Model<BlendTrainedModel>()!;
        Assert.Equal(["mf", "neural", "autorec", "baseline"], blend.Members.Select(m => m.Kind));
        Assert.True(blend.Fit.ValidationRmse <= blend.Fit.MemberValidationRmse.Min() + 1e-9,
            $"blend {blend.Fit.ValidationRmse} vs members {string.Join(", ", blend.Fit.MemberValidationRmse)}");
        var manifest = outcome.Manifest;
        Assert.Equal("blend.onnx", manifest.FindModel(ModelEntry.BlendKind)!.File);
        Assert.Equal("mf,neural,autorec,baseline", manifest.HyperParameters["blend.members"]);
        Assert.Equal("validation", manifest.HyperParameters["blend.weights_fitted_on"]);
        Assert.True(manifest.Metrics.ContainsKey("blend.rmse"));
        Assert.Equal(blend.Fit.Weights.Weights[0], manifest.Metrics["blend.weight.mf"]);
    }

    [Fact]
    public void A_run_without_a_validation_part_cannot_fit_a_blend()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Train(new BlendTrainingOptions { AutoRec = null }, validation: 0));
        Assert.Contains("validation", error.Message, StringComparison.Ordinal);
    }
}
